-- +goose Up
-- Counts the cases that exist before the store starts keeping case_counts.
INSERT INTO case_counts (county_code, item_code, status, n)
  SELECT county_code, item_code, status, COUNT(*) FROM cases GROUP BY county_code, item_code, status;

-- +goose Down
DELETE FROM case_counts;

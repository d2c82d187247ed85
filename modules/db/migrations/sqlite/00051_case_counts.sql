-- +goose Up
-- How many cases each county has per item and status, kept by the case store
-- in the same transaction as the case write (no triggers, as on MySQL). The
-- case list's total reads it instead of counting a county's cases.
CREATE TABLE case_counts (
  county_code TEXT NOT NULL,
  item_code TEXT NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (county_code, item_code, status)
);

-- +goose Down
DROP TABLE case_counts;

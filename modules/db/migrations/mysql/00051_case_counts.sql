-- +goose Up
-- How many cases each county has per item and status, kept by the case store
-- in the same transaction as the case write (no triggers: TiDB, and managed
-- MySQL's privileges). The case list's total reads it instead of counting a
-- large county's index range on every request.
CREATE TABLE case_counts (
  county_code VARCHAR(6) NOT NULL,
  item_code VARCHAR(16) NOT NULL,
  status VARCHAR(16) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (county_code, item_code, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE case_counts;

-- A county's decisions on the shipped clean-up suggestions (see the MySQL migration).
-- +goose Up
CREATE TABLE catalog_cleanup (
  county_code TEXT NOT NULL,
  code TEXT NOT NULL,
  suggested_status TEXT NOT NULL,
  decision TEXT NOT NULL,
  decided_status TEXT NOT NULL,
  reason TEXT NOT NULL,
  decided_by INTEGER NOT NULL,
  decided_at DATETIME NOT NULL,
  PRIMARY KEY (county_code, code)
);

-- +goose Down
DROP TABLE catalog_cleanup;

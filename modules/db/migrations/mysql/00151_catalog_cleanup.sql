-- A county's decisions on the shipped 2026 clean-up suggestions: confirmed
-- (the suggestion stands) or changed (another result, with a reason). An
-- item without a row is still pending.
-- +goose Up
CREATE TABLE catalog_cleanup (
  county_code VARCHAR(6) NOT NULL,
  code VARCHAR(16) NOT NULL,
  suggested_status VARCHAR(16) NOT NULL,
  decision VARCHAR(16) NOT NULL,
  decided_status VARCHAR(16) NOT NULL,
  reason TEXT NOT NULL,
  decided_by BIGINT NOT NULL,
  decided_at DATETIME(6) NOT NULL,
  PRIMARY KEY (county_code, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE catalog_cleanup;

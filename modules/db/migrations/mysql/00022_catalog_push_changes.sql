-- +goose Up
CREATE TABLE catalog_push_changes (
  push_id BIGINT NOT NULL,
  county_code VARCHAR(6) NOT NULL,
  code VARCHAR(16) NOT NULL,
  change_kind VARCHAR(16) NOT NULL,
  old_name VARCHAR(255) NOT NULL,
  new_name VARCHAR(255) NOT NULL,
  acknowledged_by BIGINT NULL,
  acknowledged_at DATETIME(6) NULL,
  PRIMARY KEY (county_code, push_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE catalog_push_changes;

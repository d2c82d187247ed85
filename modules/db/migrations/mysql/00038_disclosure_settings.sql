-- +goose Up
CREATE TABLE disclosure_settings (
  county_code VARCHAR(6) NOT NULL PRIMARY KEY,
  second_review BOOLEAN NOT NULL,
  terms TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE disclosure_settings;

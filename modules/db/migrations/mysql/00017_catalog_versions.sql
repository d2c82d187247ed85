-- +goose Up
CREATE TABLE catalog_versions (
  county_code VARCHAR(6) NOT NULL,
  code VARCHAR(16) NOT NULL,
  version INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  content MEDIUMTEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  published_by BIGINT NULL,
  published_at DATETIME(6) NULL,
  PRIMARY KEY (county_code, code, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE catalog_versions;

-- A province's edits of the shipped starter templates (catalog/content):
-- one row per edited item; items the province never edited follow the
-- shipped content.
-- +goose Up
CREATE TABLE catalog_templates (
  province_code VARCHAR(2) NOT NULL,
  code VARCHAR(16) NOT NULL,
  name VARCHAR(255) NOT NULL,
  content MEDIUMTEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (province_code, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE catalog_templates;

-- +goose Up
CREATE TABLE catalog_items (
  county_code VARCHAR(6) NOT NULL,
  code VARCHAR(16) NOT NULL,
  category VARCHAR(16) NOT NULL,
  name VARCHAR(255) NOT NULL,
  status VARCHAR(16) NOT NULL,
  sort_order INT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (county_code, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE catalog_items;

-- +goose Up
CREATE TABLE basic_catalog (
  code VARCHAR(16) NOT NULL PRIMARY KEY,
  category VARCHAR(16) NOT NULL,
  name VARCHAR(255) NOT NULL,
  sort_order INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE basic_catalog;

-- +goose Up
CREATE TABLE divisions (
  code VARCHAR(6) NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  city_code VARCHAR(4) NOT NULL,
  province_code VARCHAR(2) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY divisions_province (province_code, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE divisions;

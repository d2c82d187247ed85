-- +goose Up
CREATE TABLE counties (
  code VARCHAR(6) NOT NULL PRIMARY KEY,
  province_code VARCHAR(2) NOT NULL,
  name VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  egov_readiness TEXT NOT NULL,
  recommendation TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY counties_province (province_code, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE counties;

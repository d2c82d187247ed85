-- +goose Up
CREATE TABLE calendar_years (
  region VARCHAR(6) NOT NULL,
  year INT NOT NULL,
  source VARCHAR(255) NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (region, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE calendar_years;

-- +goose Up
CREATE TABLE annual_reports (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  year INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  figures MEDIUMTEXT NOT NULL,
  manual MEDIUMTEXT NOT NULL,
  compiled_at DATETIME(6) NOT NULL,
  published_at DATETIME(6) NULL,
  published_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY annual_reports_year (county_code, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE annual_reports;

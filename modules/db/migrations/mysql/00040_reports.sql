-- +goose Up
CREATE TABLE reports (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  region VARCHAR(6) NOT NULL,
  province_code VARCHAR(2) NOT NULL,
  period_kind VARCHAR(8) NOT NULL,
  period_start CHAR(10) NOT NULL,
  period_end CHAR(10) NOT NULL,
  title VARCHAR(255) NOT NULL,
  status VARCHAR(16) NOT NULL,
  figures MEDIUMTEXT NOT NULL,
  narrative MEDIUMTEXT NOT NULL,
  review_comment TEXT NOT NULL,
  compiled_at DATETIME(6) NOT NULL,
  submitted_at DATETIME(6) NULL,
  submitted_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY reports_period (kind, region, period_kind, period_start),
  KEY reports_province (province_code, kind, status, period_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE reports;

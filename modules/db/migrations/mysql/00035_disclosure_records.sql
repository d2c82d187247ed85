-- +goose Up
CREATE TABLE disclosure_records (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  title VARCHAR(500) NOT NULL,
  category VARCHAR(16) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  formed_on CHAR(10) NOT NULL,
  attribute VARCHAR(16) NOT NULL,
  withheld_reason VARCHAR(32) NOT NULL,
  status VARCHAR(24) NOT NULL,
  author_id BIGINT NOT NULL,
  author_name VARCHAR(64) NOT NULL,
  first_reviewer_id BIGINT NOT NULL,
  publish_deadline CHAR(10) NOT NULL,
  deadline_provisional BOOLEAN NOT NULL,
  overdue_flagged BOOLEAN NOT NULL,
  redactions TEXT NOT NULL,
  published_title VARCHAR(500) NOT NULL,
  published_body MEDIUMTEXT NOT NULL,
  submitted_at DATETIME(6) NULL,
  approved_at DATETIME(6) NULL,
  published_at DATETIME(6) NULL,
  published_by BIGINT NOT NULL,
  published_on_time BOOLEAN NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY disclosure_county_status (county_code, status, id),
  KEY disclosure_deadline (overdue_flagged, status, publish_deadline)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE disclosure_records;

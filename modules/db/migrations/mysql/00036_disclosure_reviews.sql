-- +goose Up
CREATE TABLE disclosure_reviews (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  record_id BIGINT NOT NULL,
  county_code VARCHAR(6) NOT NULL,
  stage INT NOT NULL,
  reviewer_id BIGINT NOT NULL,
  reviewer_name VARCHAR(64) NOT NULL,
  decision VARCHAR(16) NOT NULL,
  opinion TEXT NOT NULL,
  findings MEDIUMTEXT NOT NULL,
  redactions TEXT NOT NULL,
  submitted_at DATETIME(6) NOT NULL,
  decided_at DATETIME(6) NOT NULL,
  KEY disclosure_reviews_record (county_code, record_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE disclosure_reviews;

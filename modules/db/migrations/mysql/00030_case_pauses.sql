-- +goose Up
CREATE TABLE case_pauses (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  case_id BIGINT NOT NULL,
  county_code VARCHAR(6) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  reason TEXT NOT NULL,
  started_on CHAR(10) NOT NULL,
  ended_on CHAR(10) NULL,
  started_by BIGINT NOT NULL,
  ended_by BIGINT NULL,
  KEY case_pauses_case (case_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE case_pauses;

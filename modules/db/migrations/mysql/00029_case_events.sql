-- +goose Up
CREATE TABLE case_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  case_id BIGINT NOT NULL,
  county_code VARCHAR(6) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  from_status VARCHAR(16) NOT NULL,
  to_status VARCHAR(16) NOT NULL,
  actor_id BIGINT NOT NULL,
  actor_name VARCHAR(64) NOT NULL,
  note TEXT NOT NULL,
  at DATETIME(6) NOT NULL,
  KEY case_events_case (case_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE case_events;

-- +goose Up
CREATE TABLE county_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  status VARCHAR(16) NOT NULL,
  actor_id BIGINT NOT NULL,
  actor_name VARCHAR(64) NOT NULL,
  note TEXT NOT NULL,
  at DATETIME(6) NOT NULL,
  KEY county_events_county (county_code, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE county_events;

-- +goose Up
CREATE TABLE audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  seq BIGINT NOT NULL,
  at DATETIME(6) NOT NULL,
  user_id BIGINT NOT NULL,
  username VARCHAR(64) NOT NULL,
  region VARCHAR(6) NOT NULL,
  action VARCHAR(128) NOT NULL,
  object VARCHAR(255) NOT NULL,
  outcome VARCHAR(32) NOT NULL,
  ip VARCHAR(64) NOT NULL,
  detail TEXT NOT NULL,
  prev_hash CHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL,
  UNIQUE KEY audit_log_seq (seq),
  KEY audit_log_region (region, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE audit_log;

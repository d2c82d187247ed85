-- +goose Up
CREATE TABLE notices (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  user_id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  message TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  read_at DATETIME(6) NULL,
  KEY notices_user (user_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE notices;

-- +goose Up
CREATE TABLE user_totp (
  user_id BIGINT NOT NULL PRIMARY KEY,
  secret VARCHAR(64) NOT NULL,
  confirmed_at DATETIME(6) NULL,
  last_step BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE user_totp;

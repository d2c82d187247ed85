-- +goose Up
CREATE TABLE signin_failures (
  username VARCHAR(64) NOT NULL PRIMARY KEY,
  failed_logins INT NOT NULL,
  locked_until DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY signin_failures_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE signin_failures;

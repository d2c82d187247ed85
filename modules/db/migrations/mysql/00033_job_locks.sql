-- +goose Up
CREATE TABLE job_locks (
  name VARCHAR(32) NOT NULL PRIMARY KEY,
  holder VARCHAR(64) NOT NULL,
  expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE job_locks;

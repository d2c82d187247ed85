-- +goose Up
CREATE TABLE job_locks (
  name TEXT NOT NULL PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE job_locks;

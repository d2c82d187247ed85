-- +goose Up
CREATE TABLE signin_failures (
  username TEXT NOT NULL PRIMARY KEY,
  failed_logins INTEGER NOT NULL,
  locked_until DATETIME NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX signin_failures_updated ON signin_failures (updated_at);

-- +goose Down
DROP TABLE signin_failures;

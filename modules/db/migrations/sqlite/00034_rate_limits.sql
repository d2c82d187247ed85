-- +goose Up
CREATE TABLE rate_limits (
  bucket TEXT NOT NULL PRIMARY KEY,
  hits INTEGER NOT NULL,
  window_end DATETIME NOT NULL
);
CREATE INDEX rate_limits_end ON rate_limits (window_end);

-- +goose Down
DROP TABLE rate_limits;

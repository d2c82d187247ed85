-- +goose Up
CREATE TABLE user_totp (
  user_id INTEGER NOT NULL PRIMARY KEY,
  secret TEXT NOT NULL,
  confirmed_at DATETIME NULL,
  last_step INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE user_totp;

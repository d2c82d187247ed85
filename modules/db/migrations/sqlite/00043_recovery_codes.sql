-- +goose Up
CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  code_hash TEXT NOT NULL,
  used_at DATETIME NULL
);
CREATE UNIQUE INDEX recovery_codes_hash ON recovery_codes (user_id, code_hash);

-- +goose Down
DROP TABLE recovery_codes;

-- +goose Up
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL,
  at DATETIME NOT NULL,
  user_id INTEGER NOT NULL,
  username TEXT NOT NULL,
  region TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  outcome TEXT NOT NULL,
  ip TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
CREATE INDEX audit_log_region ON audit_log (region, seq);

-- +goose Down
DROP TABLE audit_log;

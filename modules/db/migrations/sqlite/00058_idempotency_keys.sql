-- +goose Up
CREATE TABLE idempotency_keys (
  owner TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  route TEXT NOT NULL,
  status INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body BLOB NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (owner, idem_key, route)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;

-- +goose Up
DROP TABLE audit_head;

-- +goose Down
CREATE TABLE audit_head (
  id INTEGER NOT NULL PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);

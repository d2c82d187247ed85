-- +goose Up
CREATE TABLE audit_head (
  id INTEGER NOT NULL PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_head;

-- +goose Up
CREATE TABLE audit_chains (
  chain TEXT NOT NULL PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_chains;

-- Key versions of the cryptographic profile (see the MySQL migration).
-- +goose Up
CREATE TABLE crypto_keys (
  version INTEGER NOT NULL PRIMARY KEY,
  profile TEXT NOT NULL,
  master_id TEXT NOT NULL,
  index_version INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE crypto_keys;

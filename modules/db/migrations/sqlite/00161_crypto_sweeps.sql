-- Progress of the re-sealing sweep (see the MySQL migration).
-- +goose Up
CREATE TABLE crypto_sweeps (
  to_version INTEGER NOT NULL,
  table_name TEXT NOT NULL,
  last_id INTEGER NOT NULL,
  resealed INTEGER NOT NULL,
  done BOOLEAN NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (to_version, table_name)
);

-- +goose Down
DROP TABLE crypto_sweeps;

-- +goose Up
CREATE TABLE audit_purges (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  through_seq INTEGER NOT NULL,
  anchor_hash TEXT NOT NULL,
  entries INTEGER NOT NULL,
  cutoff DATETIME NOT NULL,
  purged_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE audit_purges;

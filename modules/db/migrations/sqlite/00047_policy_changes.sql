-- +goose Up
CREATE TABLE policy_changes (
  version INTEGER NOT NULL PRIMARY KEY,
  op TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  role TEXT NOT NULL,
  region TEXT NOT NULL,
  changed_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE policy_changes;

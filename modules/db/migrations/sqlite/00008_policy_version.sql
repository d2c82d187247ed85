-- +goose Up
CREATE TABLE policy_version (
  id INTEGER NOT NULL PRIMARY KEY,
  version INTEGER NOT NULL
);

-- +goose Down
DROP TABLE policy_version;

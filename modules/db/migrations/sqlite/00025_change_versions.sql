-- +goose Up
CREATE TABLE change_versions (
  name TEXT NOT NULL PRIMARY KEY,
  version INTEGER NOT NULL
);

-- +goose Down
DROP TABLE change_versions;

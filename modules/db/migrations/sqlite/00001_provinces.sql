-- +goose Up
CREATE TABLE provinces (
  code TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL
);

-- +goose Down
DROP TABLE provinces;

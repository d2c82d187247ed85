-- +goose Up
CREATE TABLE basic_catalog (
  code TEXT NOT NULL PRIMARY KEY,
  category TEXT NOT NULL,
  name TEXT NOT NULL,
  sort_order INTEGER NOT NULL
);

-- +goose Down
DROP TABLE basic_catalog;

-- +goose Up
CREATE TABLE catalog_items (
  county_code TEXT NOT NULL,
  code TEXT NOT NULL,
  category TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  sort_order INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (county_code, code)
);

-- +goose Down
DROP TABLE catalog_items;

-- +goose Up
CREATE TABLE catalog_versions (
  county_code TEXT NOT NULL,
  code TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  content TEXT NOT NULL,
  updated_by INTEGER NOT NULL,
  updated_at DATETIME NOT NULL,
  published_by INTEGER NULL,
  published_at DATETIME NULL,
  PRIMARY KEY (county_code, code, version)
);

-- +goose Down
DROP TABLE catalog_versions;

-- A province's edits of the shipped starter templates (see the MySQL migration).
-- +goose Up
CREATE TABLE catalog_templates (
  province_code TEXT NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  content TEXT NOT NULL,
  updated_by INTEGER NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (province_code, code)
);

-- +goose Down
DROP TABLE catalog_templates;

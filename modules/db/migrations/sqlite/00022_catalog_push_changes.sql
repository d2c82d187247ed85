-- +goose Up
CREATE TABLE catalog_push_changes (
  push_id INTEGER NOT NULL,
  county_code TEXT NOT NULL,
  code TEXT NOT NULL,
  change_kind TEXT NOT NULL,
  old_name TEXT NOT NULL,
  new_name TEXT NOT NULL,
  acknowledged_by INTEGER NULL,
  acknowledged_at DATETIME NULL,
  PRIMARY KEY (county_code, push_id, code)
);

-- +goose Down
DROP TABLE catalog_push_changes;

-- Declared conflicts of interest (see the MySQL migration).
-- +goose Up
CREATE TABLE inspection_conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  entity_id INTEGER NOT NULL,
  reason TEXT NOT NULL,
  declared_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX inspection_conflicts_pair ON inspection_conflicts (county_code, user_id, entity_id);

-- +goose Down
DROP TABLE inspection_conflicts;

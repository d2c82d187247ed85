-- The draws of a plan (see the MySQL migration).
-- +goose Up
CREATE TABLE inspection_draws (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  plan_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  algorithm TEXT NOT NULL,
  seed TEXT NOT NULL,
  entity_pool TEXT NOT NULL,
  inspector_pool TEXT NOT NULL,
  conflicts TEXT NOT NULL,
  entity_count INTEGER NOT NULL,
  inspectors_per_entity INTEGER NOT NULL,
  draw_result TEXT NOT NULL,
  reason TEXT NOT NULL,
  superseded INTEGER NOT NULL,
  drawn_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX inspection_draws_seq ON inspection_draws (county_code, plan_id, seq);

-- +goose Down
DROP TABLE inspection_draws;

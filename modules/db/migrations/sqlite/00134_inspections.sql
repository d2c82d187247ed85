-- Inspections (see the MySQL migration).
-- +goose Up
CREATE TABLE inspections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  plan_id INTEGER NOT NULL,
  draw_id INTEGER NOT NULL,
  entity_id INTEGER NOT NULL,
  inspectors TEXT NOT NULL,
  status TEXT NOT NULL,
  inspected_on TEXT NOT NULL,
  summary TEXT NOT NULL,
  completed_by INTEGER NOT NULL,
  rectify_deadline TEXT NOT NULL,
  rectify_warning TEXT NOT NULL,
  recheck_on TEXT NOT NULL,
  recheck_result TEXT NOT NULL,
  recheck_note TEXT NOT NULL,
  rechecked_by INTEGER NOT NULL,
  publish_due TEXT NOT NULL,
  publish_due_provisional INTEGER NOT NULL,
  published_on TEXT NOT NULL,
  publish_warning TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX inspections_plan ON inspections (county_code, plan_id);
CREATE INDEX inspections_status ON inspections (county_code, status);

-- +goose Down
DROP TABLE inspections;

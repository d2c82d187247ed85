-- Inspection plans (see the MySQL migration).
-- +goose Up
CREATE TABLE inspection_plans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  name TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  industries TEXT NOT NULL,
  risk_grades TEXT NOT NULL,
  entity_count INTEGER NOT NULL,
  inspectors_per_entity INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  approved_by INTEGER NOT NULL,
  approved_on TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX inspection_plans_period ON inspection_plans (county_code, period_start);

-- +goose Down
DROP TABLE inspection_plans;

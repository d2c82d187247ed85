-- The findings of an inspection (see the MySQL migration).
-- +goose Up
CREATE TABLE inspection_findings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  inspection_id INTEGER NOT NULL,
  description TEXT NOT NULL,
  legal_provision TEXT NOT NULL,
  violation INTEGER NOT NULL,
  penalty_case_id INTEGER NOT NULL,
  penalty_case_no TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX inspection_findings_inspection ON inspection_findings (county_code, inspection_id);

-- +goose Down
DROP TABLE inspection_findings;

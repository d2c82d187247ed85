-- penalty_evidence (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_evidence (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  collected_by TEXT NOT NULL,
  collected_on TEXT NOT NULL,
  note TEXT NOT NULL,
  uploaded_by INTEGER NOT NULL,
  uploaded_by_name TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  voided_at DATETIME NULL,
  voided_by INTEGER NOT NULL DEFAULT 0,
  voided_by_name TEXT NOT NULL DEFAULT '',
  void_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX penalty_evidence_case ON penalty_evidence (county_code, case_id, id);

-- +goose Down
DROP TABLE penalty_evidence;

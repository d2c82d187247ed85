-- penalty_evidence_files (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_evidence_files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  evidence_id INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX penalty_evidence_files_case ON penalty_evidence_files (county_code, case_id, evidence_id);

-- +goose Down
DROP TABLE penalty_evidence_files;

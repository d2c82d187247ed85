-- Written notices (see the MySQL migration).
-- +goose Up
CREATE TABLE written_notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  subject TEXT NOT NULL,
  subject_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  series TEXT NOT NULL,
  doc_year INTEGER NOT NULL,
  doc_seq INTEGER NOT NULL,
  issued_on TEXT NOT NULL,
  pause_kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  period_workdays INTEGER NOT NULL,
  deadline TEXT NOT NULL,
  deadline_provisional INTEGER NOT NULL,
  issued_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX written_notices_number ON written_notices (county_code, series, doc_year, doc_seq);
CREATE INDEX written_notices_subject ON written_notices (county_code, subject, subject_id);

-- +goose Down
DROP TABLE written_notices;

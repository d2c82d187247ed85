-- penalty_documents (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  series TEXT NOT NULL,
  doc_year INTEGER NOT NULL,
  doc_seq INTEGER NOT NULL,
  issued_on TEXT NOT NULL,
  issued_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX penalty_documents_number ON penalty_documents (county_code, series, doc_year, doc_seq);
CREATE UNIQUE INDEX penalty_documents_case ON penalty_documents (county_code, case_id, kind);

-- +goose Down
DROP TABLE penalty_documents;

-- penalty_remedies (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_remedies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  started_on TEXT NOT NULL,
  ended_on TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT '',
  created_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX penalty_remedies_case ON penalty_remedies (county_code, case_id, id);

-- +goose Down
DROP TABLE penalty_remedies;

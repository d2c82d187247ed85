-- +goose Up
CREATE TABLE case_pauses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id INTEGER NOT NULL,
  county_code TEXT NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  started_on TEXT NOT NULL,
  ended_on TEXT NULL,
  started_by INTEGER NOT NULL,
  ended_by INTEGER NULL
);
CREATE INDEX case_pauses_case ON case_pauses (case_id, id);

-- +goose Down
DROP TABLE case_pauses;

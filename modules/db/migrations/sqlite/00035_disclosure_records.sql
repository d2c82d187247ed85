-- +goose Up
CREATE TABLE disclosure_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  title TEXT NOT NULL,
  category TEXT NOT NULL,
  body TEXT NOT NULL,
  formed_on TEXT NOT NULL,
  attribute TEXT NOT NULL,
  withheld_reason TEXT NOT NULL,
  status TEXT NOT NULL,
  author_id INTEGER NOT NULL,
  author_name TEXT NOT NULL,
  first_reviewer_id INTEGER NOT NULL,
  publish_deadline TEXT NOT NULL,
  deadline_provisional INTEGER NOT NULL,
  overdue_flagged INTEGER NOT NULL,
  redactions TEXT NOT NULL,
  published_title TEXT NOT NULL,
  published_body TEXT NOT NULL,
  submitted_at DATETIME NULL,
  approved_at DATETIME NULL,
  published_at DATETIME NULL,
  published_by INTEGER NOT NULL,
  published_on_time INTEGER NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX disclosure_county_status ON disclosure_records (county_code, status, id);
CREATE INDEX disclosure_deadline ON disclosure_records (overdue_flagged, status, publish_deadline);

-- +goose Down
DROP TABLE disclosure_records;

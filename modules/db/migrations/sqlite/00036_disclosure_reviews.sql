-- +goose Up
CREATE TABLE disclosure_reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id INTEGER NOT NULL,
  county_code TEXT NOT NULL,
  stage INTEGER NOT NULL,
  reviewer_id INTEGER NOT NULL,
  reviewer_name TEXT NOT NULL,
  decision TEXT NOT NULL,
  opinion TEXT NOT NULL,
  findings TEXT NOT NULL,
  redactions TEXT NOT NULL,
  submitted_at DATETIME NOT NULL,
  decided_at DATETIME NOT NULL
);
CREATE INDEX disclosure_reviews_record ON disclosure_reviews (county_code, record_id, id);

-- +goose Down
DROP TABLE disclosure_reviews;

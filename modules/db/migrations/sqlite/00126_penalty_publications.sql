-- penalty_publications (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_publications (
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  due_on TEXT NOT NULL,
  published_on TEXT NOT NULL,
  published_by INTEGER NOT NULL,
  doc_no TEXT NOT NULL,
  body TEXT NOT NULL,
  findings TEXT NOT NULL,
  withdraw_due TEXT NOT NULL,
  withdrawn_on TEXT NOT NULL,
  withdrawn_by INTEGER NOT NULL,
  withdraw_reason TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (county_code, case_id)
);
CREATE INDEX penalty_publications_public ON penalty_publications (county_code, published_on);

-- +goose Down
DROP TABLE penalty_publications;

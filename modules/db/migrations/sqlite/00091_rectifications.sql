-- Rectifications (see the MySQL migration).
-- +goose Up
CREATE TABLE rectifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  rating_id INTEGER NOT NULL,
  case_id INTEGER NOT NULL,
  handler_id INTEGER NOT NULL,
  opened_on TEXT NOT NULL,
  due_on TEXT NOT NULL,
  due_provisional INTEGER NOT NULL,
  status TEXT NOT NULL,
  warning TEXT NOT NULL,
  verification TEXT NOT NULL,
  verified_on TEXT NOT NULL,
  verified_by INTEGER NOT NULL,
  measures TEXT NOT NULL,
  rectified_on TEXT NOT NULL,
  rectified_by INTEGER NOT NULL,
  callback_on TEXT NOT NULL,
  callback_way TEXT NOT NULL,
  callback_view TEXT NOT NULL,
  callback_note TEXT NOT NULL,
  callback_by INTEGER NOT NULL,
  closed_on TEXT NOT NULL,
  closed_by INTEGER NOT NULL,
  appeal_status TEXT NOT NULL,
  appeal_reason TEXT NOT NULL,
  appealed_on TEXT NOT NULL,
  appealed_by INTEGER NOT NULL,
  review_reason TEXT NOT NULL,
  reviewed_on TEXT NOT NULL,
  reviewed_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX rectifications_rating ON rectifications (county_code, rating_id);
CREATE INDEX rectifications_status ON rectifications (county_code, status, due_on);
CREATE INDEX rectifications_appeal ON rectifications (county_code, appeal_status);

-- +goose Down
DROP TABLE rectifications;

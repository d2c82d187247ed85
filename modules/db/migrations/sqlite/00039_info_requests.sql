-- +goose Up
CREATE TABLE info_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  tracking_no TEXT NOT NULL,
  requester_name TEXT NOT NULL,
  requester_contact TEXT NOT NULL,
  description TEXT NOT NULL,
  preferred_form TEXT NOT NULL,
  received_on TEXT NOT NULL,
  deadline TEXT NOT NULL,
  deadline_provisional INTEGER NOT NULL,
  extended INTEGER NOT NULL,
  extension_reason TEXT NOT NULL,
  extension_approved_by INTEGER NOT NULL,
  status TEXT NOT NULL,
  outcome TEXT NOT NULL,
  outcome_reason TEXT NOT NULL,
  answer TEXT NOT NULL,
  answered_on TEXT NULL,
  answered_by INTEGER NOT NULL,
  on_time INTEGER NULL,
  warning TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX info_requests_tracking ON info_requests (tracking_no);
CREATE INDEX info_requests_county ON info_requests (county_code, status, deadline);
CREATE INDEX info_requests_open ON info_requests (status, warning, deadline);

-- +goose Down
DROP TABLE info_requests;

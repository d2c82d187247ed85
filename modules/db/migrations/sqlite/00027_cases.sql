-- +goose Up
CREATE TABLE cases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  tracking_no TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_version INTEGER NOT NULL,
  item_name TEXT NOT NULL,
  channel TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  applicant_credit_code TEXT NOT NULL,
  applicant_contact TEXT NOT NULL,
  applicant_phone TEXT NOT NULL,
  received_on TEXT NOT NULL,
  status TEXT NOT NULL,
  statutory_days INTEGER NOT NULL,
  promised_days INTEGER NOT NULL,
  extension_days INTEGER NOT NULL,
  extension_allowed INTEGER NOT NULL,
  extended INTEGER NOT NULL,
  deadline TEXT NOT NULL,
  promised_deadline TEXT NOT NULL,
  provisional INTEGER NOT NULL,
  clock_running INTEGER NOT NULL,
  warning TEXT NOT NULL,
  current_step INTEGER NOT NULL,
  handler_id INTEGER NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  decided_on TEXT NULL,
  completed_on TEXT NULL,
  on_time INTEGER NULL,
  created_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX cases_tracking ON cases (tracking_no);
CREATE INDEX cases_county_status ON cases (county_code, status, promised_deadline);
CREATE INDEX cases_county_item ON cases (county_code, item_code, received_on);
CREATE INDEX cases_clock ON cases (clock_running, warning, promised_deadline);
CREATE INDEX cases_county_completed ON cases (county_code, completed_on);

-- +goose Down
DROP TABLE cases;

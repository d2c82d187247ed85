-- Reminders to publish the annual disclosure report (see the MySQL migration).
-- +goose Up
CREATE TABLE annual_reminders (
  county_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  stage TEXT NOT NULL,
  sent_at DATETIME NOT NULL,
  PRIMARY KEY (county_code, year, stage)
);

-- +goose Down
DROP TABLE annual_reminders;

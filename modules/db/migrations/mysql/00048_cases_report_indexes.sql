-- +goose Up
ALTER TABLE cases
  ADD INDEX cases_county_decided (county_code, decided_on, completed_on, promised_deadline, received_on, on_time, item_code),
  DROP INDEX cases_county_completed,
  ADD INDEX cases_county_completed (county_code, completed_on, status);

-- +goose Down
ALTER TABLE cases
  DROP INDEX cases_county_decided,
  DROP INDEX cases_county_completed,
  ADD INDEX cases_county_completed (county_code, completed_on);

-- +goose Up
CREATE INDEX cases_county_decided ON cases (county_code, decided_on, completed_on, promised_deadline, received_on, on_time, item_code);
DROP INDEX cases_county_completed;
CREATE INDEX cases_county_completed ON cases (county_code, completed_on, status);

-- +goose Down
DROP INDEX cases_county_decided;
DROP INDEX cases_county_completed;
CREATE INDEX cases_county_completed ON cases (county_code, completed_on);

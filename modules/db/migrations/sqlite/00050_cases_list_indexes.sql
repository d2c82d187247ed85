-- +goose Up
-- The case list reads one page of ids from an index and only then its rows.
CREATE INDEX cases_county_deadline ON cases (county_code, promised_deadline);
CREATE INDEX cases_county_clock ON cases (county_code, clock_running, promised_deadline);
CREATE INDEX cases_county_received ON cases (county_code, received_on);
CREATE INDEX cases_county_item_status ON cases (county_code, item_code, status, promised_deadline);

-- +goose Down
DROP INDEX cases_county_deadline;
DROP INDEX cases_county_clock;
DROP INDEX cases_county_received;
DROP INDEX cases_county_item_status;

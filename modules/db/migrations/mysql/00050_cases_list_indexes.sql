-- +goose Up
-- The case list reads one page of ids from an index and only then its 20
-- rows: a county's cases are spread over the whole table (ids follow time),
-- so sorting full rows would read every row of the county.
ALTER TABLE cases
  ADD INDEX cases_county_deadline (county_code, promised_deadline),
  ADD INDEX cases_county_clock (county_code, clock_running, promised_deadline),
  ADD INDEX cases_county_received (county_code, received_on),
  ADD INDEX cases_county_item_status (county_code, item_code, status, promised_deadline);

-- +goose Down
ALTER TABLE cases
  DROP INDEX cases_county_deadline,
  DROP INDEX cases_county_clock,
  DROP INDEX cases_county_received,
  DROP INDEX cases_county_item_status;

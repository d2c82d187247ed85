-- +goose Up
CREATE INDEX onspot_decisions_decided ON onspot_decisions (county_code, decided_on);

-- +goose Down
DROP INDEX onspot_decisions_decided;

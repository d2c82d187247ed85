-- The summary and annual reports count a county's decisions by decision
-- date.
-- +goose Up
CREATE INDEX onspot_decisions_decided ON onspot_decisions (county_code, decided_on) ALGORITHM=INPLACE LOCK=NONE;

-- +goose Down
DROP INDEX onspot_decisions_decided ON onspot_decisions;

-- +goose Up
DROP INDEX case_events_county_kind;

-- +goose Down
CREATE INDEX case_events_county_kind ON case_events (county_code, kind, at);

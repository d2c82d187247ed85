-- +goose Up
CREATE INDEX case_events_county_kind ON case_events (county_code, kind, at);

-- +goose Down
DROP INDEX case_events_county_kind;

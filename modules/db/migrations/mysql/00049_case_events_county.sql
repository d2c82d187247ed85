-- +goose Up
ALTER TABLE case_events ADD INDEX case_events_county_kind (county_code, kind, at);

-- +goose Down
ALTER TABLE case_events DROP INDEX case_events_county_kind;

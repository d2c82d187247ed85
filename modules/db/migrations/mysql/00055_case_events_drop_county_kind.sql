-- +goose Up
-- Older replicas still running during the upgrade compile reports without
-- this index (slower, not wrong).
ALTER TABLE case_events DROP INDEX case_events_county_kind;

-- +goose Down
ALTER TABLE case_events ADD INDEX case_events_county_kind (county_code, kind, at);

-- +goose Up
ALTER TABLE case_events ADD INDEX case_events_warnings (warning_county, at);

-- +goose Down
ALTER TABLE case_events DROP INDEX case_events_warnings;

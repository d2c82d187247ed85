-- +goose Up
CREATE INDEX case_events_warnings ON case_events (warning_county, at);

-- +goose Down
DROP INDEX case_events_warnings;

-- +goose Up
-- The province report counts each county's case warnings by time; only the
-- case-level light events need an index by county for that (see the MySQL
-- migration). SQLite adds a generated column only as VIRTUAL.
ALTER TABLE case_events ADD COLUMN warning_county TEXT AS (CASE WHEN kind IN ('flag_yellow', 'flag_red') THEN county_code END) VIRTUAL;
CREATE INDEX case_events_warnings ON case_events (warning_county, at);
DROP INDEX case_events_county_kind;

-- +goose Down
CREATE INDEX case_events_county_kind ON case_events (county_code, kind, at);
DROP INDEX case_events_warnings;
ALTER TABLE case_events DROP COLUMN warning_county;

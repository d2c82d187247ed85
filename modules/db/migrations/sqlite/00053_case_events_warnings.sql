-- +goose Up
-- The province report counts each county's case warnings by time; only the
-- case-level light events need an index by county for that (see the MySQL
-- migration). SQLite adds a generated column only as VIRTUAL.
ALTER TABLE case_events ADD COLUMN warning_county TEXT AS (CASE WHEN kind IN ('flag_yellow', 'flag_red') THEN county_code END) VIRTUAL;

-- +goose Down
ALTER TABLE case_events DROP COLUMN warning_county;

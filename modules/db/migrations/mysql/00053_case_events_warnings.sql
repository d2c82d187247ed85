-- +goose Up
-- The province report counts each county's case warnings by time; only the
-- case-level light events need an index by county for that. Indexing every
-- event by (county, kind) put each of the overdue job's step lights on one of
-- thousands of scattered index pages; here every other event has NULL and
-- goes to the end of one range, in time order.
ALTER TABLE case_events
  ADD COLUMN warning_county VARCHAR(6) AS (CASE WHEN kind IN ('flag_yellow', 'flag_red') THEN county_code END) VIRTUAL,
  ADD INDEX case_events_warnings (warning_county, at),
  DROP INDEX case_events_county_kind;

-- +goose Down
ALTER TABLE case_events
  ADD INDEX case_events_county_kind (county_code, kind, at),
  DROP INDEX case_events_warnings,
  DROP COLUMN warning_county;

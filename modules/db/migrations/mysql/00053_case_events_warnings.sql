-- +goose Up
-- The province report counts each county's case warnings by time; only the
-- case-level light events need an index by county for that. Indexing every
-- event by (county, kind) put each of the overdue job's step lights on one of
-- thousands of scattered index pages. warning_county holds the county of a
-- case light and NULL for every other event, so in its index (00054) the rest
-- go to the end of one range, in time order. Adding a virtual column is
-- instant; the index and the drop of the old one (00055) are separate
-- statements because InnoDB builds an index online only on its own.
ALTER TABLE case_events
  ADD COLUMN warning_county VARCHAR(6) AS (CASE WHEN kind IN ('flag_yellow', 'flag_red') THEN county_code END) VIRTUAL;

-- +goose Down
ALTER TABLE case_events DROP COLUMN warning_county;

-- +goose Up
CREATE TABLE county_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  status TEXT NOT NULL,
  actor_id INTEGER NOT NULL,
  actor_name TEXT NOT NULL,
  note TEXT NOT NULL,
  at DATETIME NOT NULL
);
CREATE INDEX county_events_county ON county_events (county_code, id);

-- +goose Down
DROP TABLE county_events;

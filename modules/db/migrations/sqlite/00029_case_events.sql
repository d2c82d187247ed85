-- +goose Up
CREATE TABLE case_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  case_id INTEGER NOT NULL,
  county_code TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  actor_id INTEGER NOT NULL,
  actor_name TEXT NOT NULL,
  note TEXT NOT NULL,
  at DATETIME NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- +goose Down
DROP TABLE case_events;

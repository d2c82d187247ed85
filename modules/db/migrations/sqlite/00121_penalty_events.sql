-- penalty_events (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  actor_id INTEGER NOT NULL,
  actor_name TEXT NOT NULL,
  on_date TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX penalty_events_case ON penalty_events (county_code, case_id, id);

-- +goose Down
DROP TABLE penalty_events;

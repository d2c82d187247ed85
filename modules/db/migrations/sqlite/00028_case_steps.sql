-- +goose Up
CREATE TABLE case_steps (
  case_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  county_code TEXT NOT NULL,
  name TEXT NOT NULL,
  post TEXT NOT NULL,
  authority TEXT NOT NULL,
  limit_days INTEGER NOT NULL,
  excluded INTEGER NOT NULL,
  active INTEGER NOT NULL,
  started_on TEXT NULL,
  due_on TEXT NULL,
  completed_on TEXT NULL,
  warning TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_steps_active ON case_steps (active, warning, due_on);

-- +goose Down
DROP TABLE case_steps;

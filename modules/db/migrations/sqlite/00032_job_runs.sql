-- +goose Up
CREATE TABLE job_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  tick TEXT NOT NULL,
  replica TEXT NOT NULL,
  started_at DATETIME NOT NULL,
  finished_at DATETIME NULL,
  status TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE UNIQUE INDEX job_runs_tick ON job_runs (job, tick);
CREATE INDEX job_runs_job ON job_runs (job, id);

-- +goose Down
DROP TABLE job_runs;

-- +goose Up
CREATE INDEX job_runs_status ON job_runs (job, status) ALGORITHM=INPLACE LOCK=NONE;

-- +goose Down
DROP INDEX job_runs_status ON job_runs;

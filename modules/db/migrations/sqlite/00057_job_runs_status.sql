-- +goose Up
CREATE INDEX job_runs_status ON job_runs (job, status);

-- +goose Down
DROP INDEX job_runs_status;

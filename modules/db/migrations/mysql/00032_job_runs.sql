-- +goose Up
CREATE TABLE job_runs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job VARCHAR(32) NOT NULL,
  tick VARCHAR(40) NOT NULL,
  replica VARCHAR(64) NOT NULL,
  started_at DATETIME(6) NOT NULL,
  finished_at DATETIME(6) NULL,
  status VARCHAR(16) NOT NULL,
  detail TEXT NOT NULL,
  UNIQUE KEY job_runs_tick (job, tick),
  KEY job_runs_job (job, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE job_runs;

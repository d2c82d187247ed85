-- Reminders to publish the annual disclosure report (政府信息公开条例 第四十九条:
-- before 31 January): one row per county, report year and stage, so each
-- stage's notices go out once however many replicas run the job.
-- +goose Up
CREATE TABLE annual_reminders (
  county_code VARCHAR(6) NOT NULL,
  year INT NOT NULL,
  stage VARCHAR(16) NOT NULL,
  sent_at DATETIME(6) NOT NULL,
  PRIMARY KEY (county_code, year, stage)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE annual_reminders;

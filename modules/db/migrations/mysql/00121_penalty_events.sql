-- Every step of a penalty case as recorded: the action, the state before
-- and after, who took it (id and name as they were), the date the step
-- happened on, why, and the step's own data as JSON.
-- +goose Up
CREATE TABLE penalty_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  action VARCHAR(32) NOT NULL,
  from_status VARCHAR(24) NOT NULL,
  to_status VARCHAR(24) NOT NULL,
  actor_id BIGINT NOT NULL,
  actor_name VARCHAR(100) NOT NULL,
  on_date CHAR(10) NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY penalty_events_case (county_code, case_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_events;

-- One inspection per drawn entity: its inspectors (comma-separated user ids,
-- in draw order), the record once done (inspected_on, summary), the order to
-- rectify within a deadline (责令限期整改) and its re-check (复查), and the
-- publication of the result with its due date. rectify_warning and
-- publish_warning are the lights the overdue job has raised (none, yellow,
-- red), each raised once.
-- +goose Up
CREATE TABLE inspections (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  plan_id BIGINT NOT NULL,
  draw_id BIGINT NOT NULL,
  entity_id BIGINT NOT NULL,
  inspectors VARCHAR(500) NOT NULL,
  status VARCHAR(16) NOT NULL,
  inspected_on CHAR(10) NOT NULL,
  summary TEXT NOT NULL,
  completed_by BIGINT NOT NULL,
  rectify_deadline CHAR(10) NOT NULL,
  rectify_warning VARCHAR(8) NOT NULL,
  recheck_on CHAR(10) NOT NULL,
  recheck_result VARCHAR(16) NOT NULL,
  recheck_note TEXT NOT NULL,
  rechecked_by BIGINT NOT NULL,
  publish_due CHAR(10) NOT NULL,
  publish_due_provisional BOOLEAN NOT NULL,
  published_on CHAR(10) NOT NULL,
  publish_warning VARCHAR(8) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY inspections_plan (county_code, plan_id),
  KEY inspections_status (county_code, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE inspections;

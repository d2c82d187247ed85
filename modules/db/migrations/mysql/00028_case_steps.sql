-- +goose Up
CREATE TABLE case_steps (
  case_id BIGINT NOT NULL,
  seq INT NOT NULL,
  county_code VARCHAR(6) NOT NULL,
  name VARCHAR(255) NOT NULL,
  post VARCHAR(255) NOT NULL,
  authority TEXT NOT NULL,
  limit_days INT NOT NULL,
  excluded BOOLEAN NOT NULL,
  active BOOLEAN NOT NULL,
  started_on CHAR(10) NULL,
  due_on CHAR(10) NULL,
  completed_on CHAR(10) NULL,
  warning VARCHAR(8) NOT NULL,
  PRIMARY KEY (case_id, seq),
  KEY case_steps_active (active, warning, due_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE case_steps;

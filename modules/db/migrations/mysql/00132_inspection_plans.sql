-- Inspection plans (随机抽查计划) of a period: the scope (industries and risk
-- grades, comma-separated codes of modules/entities; empty means all), how
-- many entities to draw and how many inspectors go to each. A plan is drawn
-- only once approved by the bureau's 负责人.
-- +goose Up
CREATE TABLE inspection_plans (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  name VARCHAR(200) NOT NULL,
  period_start CHAR(10) NOT NULL,
  period_end CHAR(10) NOT NULL,
  industries VARCHAR(500) NOT NULL,
  risk_grades VARCHAR(100) NOT NULL,
  entity_count INT NOT NULL,
  inspectors_per_entity INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_by BIGINT NOT NULL,
  approved_by BIGINT NOT NULL,
  approved_on CHAR(10) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY inspection_plans_period (county_code, period_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE inspection_plans;

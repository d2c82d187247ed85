-- The county register of supervised 生产经营单位: one row per unified social
-- credit code in a county. industry and risk_grade hold the codes of the
-- entities module's fixed lists; contact and phone are personal data shown
-- to staff only. status is active or closed (注销/关闭: kept for history).
-- +goose Up
CREATE TABLE entities (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  name VARCHAR(200) NOT NULL,
  credit_code CHAR(18) NOT NULL,
  address VARCHAR(300) NOT NULL,
  industry VARCHAR(32) NOT NULL,
  risk_grade VARCHAR(16) NOT NULL,
  contact VARCHAR(64) NOT NULL,
  phone VARCHAR(32) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_by BIGINT NOT NULL,
  updated_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY entities_credit (county_code, credit_code),
  KEY entities_name (county_code, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE entities;

-- The findings of an inspection: what was found, the provision it concerns,
-- whether it is a violation, and the penalty case it opened (0 and '' until
-- one is opened).
-- +goose Up
CREATE TABLE inspection_findings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  inspection_id BIGINT NOT NULL,
  description TEXT NOT NULL,
  legal_provision VARCHAR(500) NOT NULL,
  violation BOOLEAN NOT NULL,
  penalty_case_id BIGINT NOT NULL,
  penalty_case_no VARCHAR(64) NOT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY inspection_findings_inspection (county_code, inspection_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE inspection_findings;

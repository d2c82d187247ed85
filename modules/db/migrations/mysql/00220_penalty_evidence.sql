-- Evidence (证据) of a penalty case: one item of the case file, of a kind
-- of 行政处罚法 第四十六条, collected by whom and on what day. Never deleted:
-- a wrong upload is voided with a reason and kept (voided_at set).
-- +goose Up
CREATE TABLE penalty_evidence (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  title VARCHAR(200) NOT NULL,
  collected_by VARCHAR(100) NOT NULL,
  collected_on CHAR(10) NOT NULL,
  note TEXT NOT NULL,
  uploaded_by BIGINT NOT NULL,
  uploaded_by_name VARCHAR(100) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  voided_at DATETIME(6) NULL,
  voided_by BIGINT NOT NULL DEFAULT 0,
  voided_by_name VARCHAR(100) NOT NULL DEFAULT '',
  void_reason VARCHAR(500) NOT NULL DEFAULT '',
  KEY penalty_evidence_case (county_code, case_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_evidence;

-- The files of a penalty case's evidence (scans and photos: PDF, OFD, JPEG,
-- PNG), stored as case materials are: the bytes with their checked type,
-- size and SHA-256. Never deleted.
-- +goose Up
CREATE TABLE penalty_evidence_files (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  evidence_id BIGINT NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  content_type VARCHAR(100) NOT NULL,
  size BIGINT NOT NULL,
  sha256 CHAR(64) NOT NULL,
  data LONGBLOB NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY penalty_evidence_files_case (county_code, case_id, evidence_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_evidence_files;

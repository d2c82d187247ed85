-- Files of a case's materials (申请材料): uploaded with an online
-- application or scanned at the counter. material is the name of the item's
-- listed material they are for (empty: another material). Never public.
-- +goose Up
CREATE TABLE case_materials (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  material VARCHAR(255) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  content_type VARCHAR(100) NOT NULL,
  size BIGINT NOT NULL,
  sha256 CHAR(64) NOT NULL,
  data LONGBLOB NOT NULL,
  source VARCHAR(16) NOT NULL,
  uploaded_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY case_materials_case (county_code, case_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE case_materials;

-- The numbered documents of penalty cases (立案审批表, 行政处罚告知书,
-- 听证告知书, 行政处罚决定书): one of each kind per case, numbered in its
-- series per county and year without gaps or duplicates.
-- +goose Up
CREATE TABLE penalty_documents (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  kind VARCHAR(24) NOT NULL,
  series VARCHAR(16) NOT NULL,
  doc_year INT NOT NULL,
  doc_seq INT NOT NULL,
  issued_on CHAR(10) NOT NULL,
  issued_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY penalty_documents_number (county_code, series, doc_year, doc_seq),
  UNIQUE KEY penalty_documents_case (county_code, case_id, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_documents;

-- The 双公示 publication of a penalty decision on the county portal: the
-- public text as published (natural persons' data masked after the
-- confidentiality scan), its due day (7 working days after the decision),
-- who reviewed and published it, and its withdrawal (行政处罚法 第四十八条:
-- within 3 working days of a revocation, with the reason made public).
-- +goose Up
CREATE TABLE penalty_publications (
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  due_on CHAR(10) NOT NULL,
  published_on CHAR(10) NOT NULL,
  published_by BIGINT NOT NULL,
  doc_no VARCHAR(64) NOT NULL,
  body TEXT NOT NULL,
  findings TEXT NOT NULL,
  withdraw_due CHAR(10) NOT NULL,
  withdrawn_on CHAR(10) NOT NULL,
  withdrawn_by BIGINT NOT NULL,
  withdraw_reason TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (county_code, case_id),
  KEY penalty_publications_public (county_code, published_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_publications;

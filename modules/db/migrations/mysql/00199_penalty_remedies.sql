-- 行政复议 and 行政诉讼 brought against a penalty decision: which, before
-- whom, from when to when and how it ended. One at a time per case; the
-- surcharge does not run while one lasts (行政处罚法 第七十三条第三款).
-- +goose Up
CREATE TABLE penalty_remedies (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  body VARCHAR(200) NOT NULL,
  started_on CHAR(10) NOT NULL,
  ended_on CHAR(10) NOT NULL DEFAULT '',
  outcome VARCHAR(16) NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY penalty_remedies_case (county_code, case_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_remedies;

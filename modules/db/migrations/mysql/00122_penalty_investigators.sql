-- The enforcement officers (执法人员) who investigated a case, at least two
-- (行政处罚法 第四十二条), each with the number of their enforcement
-- certificate (执法证件).
-- +goose Up
CREATE TABLE penalty_investigators (
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  cert_no VARCHAR(32) NOT NULL,
  PRIMARY KEY (county_code, case_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_investigators;

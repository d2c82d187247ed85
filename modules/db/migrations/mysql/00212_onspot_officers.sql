-- The officers present at an on-the-spot decision with the enforcement
-- certificate numbers they showed (行政处罚法 第四十二条, 第五十二条).
-- +goose Up
CREATE TABLE onspot_officers (
  county_code VARCHAR(6) NOT NULL,
  decision_id BIGINT NOT NULL,
  slot INT NOT NULL,
  user_id BIGINT NOT NULL,
  cert_no VARCHAR(32) NOT NULL,
  PRIMARY KEY (county_code, decision_id, slot)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE onspot_officers;

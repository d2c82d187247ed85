-- The county's pool of enforcement officers for 双随机 draws (执法检查人员名录库):
-- one row per county user, with the number of their enforcement certificate
-- (行政执法证件号). Only active rows whose user holds county_officer in the
-- county are drawn.
-- +goose Up
CREATE TABLE inspectors (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  user_id BIGINT NOT NULL,
  certificate_no VARCHAR(64) NOT NULL,
  active BOOLEAN NOT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY inspectors_user (county_code, user_id),
  UNIQUE KEY inspectors_certificate (county_code, certificate_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE inspectors;

-- 政务服务"好差评" ratings (国办发〔2019〕51号): one per case, on five levels
-- (5 非常满意 … 1 非常不满意), with the per-indicator levels as JSON and the
-- channel the rating came by (online: the tracking page; counter: staff
-- entering it on the person's behalf). excluded marks a rating the province
-- set aside on appeal (申诉复核): it leaves the satisfaction figures.
-- +goose Up
CREATE TABLE ratings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  case_id BIGINT NOT NULL,
  tracking_no VARCHAR(32) NOT NULL,
  item_code VARCHAR(32) NOT NULL,
  item_name VARCHAR(255) NOT NULL,
  channel VARCHAR(16) NOT NULL,
  level INT NOT NULL,
  indicators TEXT NOT NULL,
  comment TEXT NOT NULL,
  rated_on CHAR(10) NOT NULL,
  rated_by BIGINT NOT NULL,
  excluded BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY ratings_case (county_code, case_id),
  KEY ratings_item (county_code, item_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE ratings;

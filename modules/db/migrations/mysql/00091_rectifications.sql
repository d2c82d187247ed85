-- Rectifications (差评整改) a 不满意 or 非常不满意 rating opens: verified
-- (回访核实), rectified, the person called back and the result recorded, then
-- closed, on a working-day clock (due_on; warning is the light the overdue
-- job last raised, once each). An appeal against a malicious or mistaken
-- rating (申诉复核) is filed by the county and reviewed by the province.
-- +goose Up
CREATE TABLE rectifications (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  rating_id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  handler_id BIGINT NOT NULL,
  opened_on CHAR(10) NOT NULL,
  due_on CHAR(10) NOT NULL,
  due_provisional BOOLEAN NOT NULL,
  status VARCHAR(16) NOT NULL,
  warning VARCHAR(8) NOT NULL,
  verification TEXT NOT NULL,
  verified_on CHAR(10) NOT NULL,
  verified_by BIGINT NOT NULL,
  measures TEXT NOT NULL,
  rectified_on CHAR(10) NOT NULL,
  rectified_by BIGINT NOT NULL,
  callback_on CHAR(10) NOT NULL,
  callback_way VARCHAR(16) NOT NULL,
  callback_view VARCHAR(16) NOT NULL,
  callback_note TEXT NOT NULL,
  callback_by BIGINT NOT NULL,
  closed_on CHAR(10) NOT NULL,
  closed_by BIGINT NOT NULL,
  appeal_status VARCHAR(16) NOT NULL,
  appeal_reason TEXT NOT NULL,
  appealed_on CHAR(10) NOT NULL,
  appealed_by BIGINT NOT NULL,
  review_reason TEXT NOT NULL,
  reviewed_on CHAR(10) NOT NULL,
  reviewed_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY rectifications_rating (county_code, rating_id),
  KEY rectifications_status (county_code, status, due_on),
  KEY rectifications_appeal (county_code, appeal_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE rectifications;

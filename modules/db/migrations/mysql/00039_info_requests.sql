-- +goose Up
CREATE TABLE info_requests (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  tracking_no VARCHAR(32) NOT NULL,
  requester_name VARCHAR(255) NOT NULL,
  requester_contact VARCHAR(255) NOT NULL,
  description TEXT NOT NULL,
  preferred_form VARCHAR(32) NOT NULL,
  received_on CHAR(10) NOT NULL,
  deadline CHAR(10) NOT NULL,
  deadline_provisional BOOLEAN NOT NULL,
  extended BOOLEAN NOT NULL,
  extension_reason TEXT NOT NULL,
  extension_approved_by BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  outcome VARCHAR(32) NOT NULL,
  outcome_reason VARCHAR(32) NOT NULL,
  answer TEXT NOT NULL,
  answered_on CHAR(10) NULL,
  answered_by BIGINT NOT NULL,
  on_time BOOLEAN NULL,
  warning VARCHAR(8) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY info_requests_tracking (tracking_no),
  KEY info_requests_county (county_code, status, deadline),
  KEY info_requests_open (status, warning, deadline)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE info_requests;

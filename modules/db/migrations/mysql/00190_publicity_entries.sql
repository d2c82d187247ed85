-- 双公示: the licensing and penalty decisions a county publishes on its portal
-- (行政许可法 第四十条; 行政处罚法 第四十八条), each recorded in the
-- transaction of its decision and due 7 working days after it. A decision
-- revoked or changed is withdrawn, with its reason, within 3 working days.
-- Only what is published is kept here: a natural person's name is masked
-- when the entry is recorded.
-- +goose Up
CREATE TABLE publicity_entries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  source_kind VARCHAR(16) NOT NULL,
  source_id BIGINT NOT NULL,
  decision_no VARCHAR(64) NOT NULL,
  item_code VARCHAR(32) NOT NULL,
  item_name VARCHAR(200) NOT NULL,
  party_name VARCHAR(200) NOT NULL,
  party_code VARCHAR(32) NOT NULL,
  content TEXT NOT NULL,
  basis TEXT NOT NULL,
  decided_on CHAR(10) NOT NULL,
  due_on CHAR(10) NOT NULL,
  due_provisional BOOLEAN NOT NULL,
  status VARCHAR(16) NOT NULL,
  warning VARCHAR(8) NOT NULL,
  published_on CHAR(10) NOT NULL,
  published_by BIGINT NOT NULL,
  revoked_on CHAR(10) NOT NULL,
  withdraw_due CHAR(10) NOT NULL,
  withdrawn_on CHAR(10) NOT NULL,
  withdrawn_by BIGINT NOT NULL,
  withdraw_reason TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY publicity_entries_source (county_code, source_kind, source_id),
  KEY publicity_entries_status (county_code, status, due_on),
  KEY publicity_entries_open (status, warning, due_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE publicity_entries;

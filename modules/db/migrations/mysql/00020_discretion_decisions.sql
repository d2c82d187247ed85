-- +goose Up
CREATE TABLE discretion_decisions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  item_code VARCHAR(16) NOT NULL,
  item_version INT NOT NULL,
  standard_id VARCHAR(32) NOT NULL,
  tier_level VARCHAR(32) NOT NULL,
  case_ref VARCHAR(64) NOT NULL,
  recommended_min BIGINT NULL,
  recommended_max BIGINT NULL,
  decided_amount BIGINT NULL,
  deviation_reason TEXT NOT NULL,
  decided_by BIGINT NOT NULL,
  decided_at DATETIME(6) NOT NULL,
  KEY discretion_decisions_county (county_code, item_code, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci /*T! AUTO_ID_CACHE=1 */;

-- +goose Down
DROP TABLE discretion_decisions;

-- A province's 较大数额 thresholds (行政处罚法 第六十三条第一款第（一）项)
-- for work-safety fines, in yuan, with the instrument that sets them; a
-- province without a row uses the product's default (modules/penalties).
-- +goose Up
CREATE TABLE penalty_thresholds (
  province_code VARCHAR(2) NOT NULL PRIMARY KEY,
  individual_yuan BIGINT NOT NULL,
  organization_yuan BIGINT NOT NULL,
  basis VARCHAR(500) NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_thresholds;

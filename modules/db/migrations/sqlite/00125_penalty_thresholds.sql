-- penalty_thresholds (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_thresholds (
  province_code TEXT NOT NULL PRIMARY KEY,
  individual_yuan INTEGER NOT NULL,
  organization_yuan INTEGER NOT NULL,
  basis TEXT NOT NULL,
  updated_by INTEGER NOT NULL,
  updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE penalty_thresholds;

-- +goose Up
CREATE TABLE discretion_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_version INTEGER NOT NULL,
  standard_id TEXT NOT NULL,
  tier_level TEXT NOT NULL,
  case_ref TEXT NOT NULL,
  recommended_min INTEGER NULL,
  recommended_max INTEGER NULL,
  decided_amount INTEGER NULL,
  deviation_reason TEXT NOT NULL,
  decided_by INTEGER NOT NULL,
  decided_at DATETIME NOT NULL
);
CREATE INDEX discretion_decisions_county ON discretion_decisions (county_code, item_code, id);

-- +goose Down
DROP TABLE discretion_decisions;

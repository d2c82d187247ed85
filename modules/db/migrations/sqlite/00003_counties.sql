-- +goose Up
CREATE TABLE counties (
  code TEXT NOT NULL PRIMARY KEY,
  province_code TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  egov_readiness TEXT NOT NULL,
  recommendation TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX counties_province ON counties (province_code, code);

-- +goose Down
DROP TABLE counties;

-- The register of supervised entities (see the MySQL migration).
-- +goose Up
CREATE TABLE entities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  name TEXT NOT NULL,
  credit_code TEXT NOT NULL,
  address TEXT NOT NULL,
  industry TEXT NOT NULL,
  risk_grade TEXT NOT NULL,
  contact TEXT NOT NULL,
  phone TEXT NOT NULL,
  status TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  updated_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX entities_credit ON entities (county_code, credit_code);
CREATE INDEX entities_name ON entities (county_code, name);

-- +goose Down
DROP TABLE entities;

-- The inspector pool (see the MySQL migration).
-- +goose Up
CREATE TABLE inspectors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  certificate_no TEXT NOT NULL,
  active INTEGER NOT NULL,
  created_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX inspectors_user ON inspectors (county_code, user_id);
CREATE UNIQUE INDEX inspectors_certificate ON inspectors (county_code, certificate_no);

-- +goose Down
DROP TABLE inspectors;

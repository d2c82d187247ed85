-- +goose Up
CREATE TABLE annual_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  status TEXT NOT NULL,
  figures TEXT NOT NULL,
  manual TEXT NOT NULL,
  compiled_at DATETIME NOT NULL,
  published_at DATETIME NULL,
  published_by INTEGER NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX annual_reports_year ON annual_reports (county_code, year);

-- +goose Down
DROP TABLE annual_reports;

-- +goose Up
CREATE TABLE reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  region TEXT NOT NULL,
  province_code TEXT NOT NULL,
  period_kind TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  figures TEXT NOT NULL,
  narrative TEXT NOT NULL,
  review_comment TEXT NOT NULL,
  compiled_at DATETIME NOT NULL,
  submitted_at DATETIME NULL,
  submitted_by INTEGER NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX reports_period ON reports (kind, region, period_kind, period_start);
CREATE INDEX reports_province ON reports (province_code, kind, status, period_start);

-- +goose Down
DROP TABLE reports;

-- Ratings (see the MySQL migration).
-- +goose Up
CREATE TABLE ratings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  tracking_no TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL,
  channel TEXT NOT NULL,
  level INTEGER NOT NULL,
  indicators TEXT NOT NULL,
  comment TEXT NOT NULL,
  rated_on TEXT NOT NULL,
  rated_by INTEGER NOT NULL,
  excluded INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ratings_case ON ratings (county_code, case_id);
CREATE INDEX ratings_item ON ratings (county_code, item_code);

-- +goose Down
DROP TABLE ratings;

-- +goose Up
CREATE TABLE disclosure_settings (
  county_code TEXT NOT NULL PRIMARY KEY,
  second_review INTEGER NOT NULL,
  terms TEXT NOT NULL,
  updated_by INTEGER NOT NULL,
  updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE disclosure_settings;

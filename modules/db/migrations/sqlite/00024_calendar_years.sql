-- +goose Up
CREATE TABLE calendar_years (
  region TEXT NOT NULL,
  year INTEGER NOT NULL,
  source TEXT NOT NULL,
  updated_by INTEGER NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (region, year)
);

-- +goose Down
DROP TABLE calendar_years;

-- +goose Up
CREATE TABLE calendar_days (
  region TEXT NOT NULL,
  day TEXT NOT NULL,
  kind TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (region, day)
);

-- +goose Down
DROP TABLE calendar_days;

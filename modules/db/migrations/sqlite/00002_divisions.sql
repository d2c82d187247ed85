-- +goose Up
CREATE TABLE divisions (
  code TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  city_code TEXT NOT NULL,
  province_code TEXT NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE INDEX divisions_province ON divisions (province_code, code);

-- +goose Down
DROP TABLE divisions;

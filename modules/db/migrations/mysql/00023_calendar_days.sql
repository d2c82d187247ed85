-- +goose Up
CREATE TABLE calendar_days (
  region VARCHAR(6) NOT NULL,
  day CHAR(10) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  note VARCHAR(255) NOT NULL,
  PRIMARY KEY (region, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE calendar_days;

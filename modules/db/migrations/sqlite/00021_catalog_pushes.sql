-- +goose Up
CREATE TABLE catalog_pushes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  province_code TEXT NOT NULL,
  title TEXT NOT NULL,
  note TEXT NOT NULL,
  items TEXT NOT NULL,
  pushed_by INTEGER NOT NULL,
  pushed_at DATETIME NOT NULL
);
CREATE INDEX catalog_pushes_province ON catalog_pushes (province_code, id);

-- +goose Down
DROP TABLE catalog_pushes;

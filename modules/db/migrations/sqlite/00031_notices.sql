-- +goose Up
CREATE TABLE notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  case_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  read_at DATETIME NULL
);
CREATE INDEX notices_user ON notices (user_id, id);

-- +goose Down
DROP TABLE notices;

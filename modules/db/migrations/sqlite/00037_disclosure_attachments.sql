-- +goose Up
CREATE TABLE disclosure_attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id INTEGER NOT NULL,
  county_code TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX disclosure_attachments_record ON disclosure_attachments (county_code, record_id);

-- +goose Down
DROP TABLE disclosure_attachments;

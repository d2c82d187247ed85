-- Files of a case's materials (申请材料): uploaded with an online
-- application or scanned at the counter. material is the name of the item's
-- listed material they are for (empty: another material). Never public.
-- +goose Up
CREATE TABLE case_materials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  material TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  source TEXT NOT NULL,
  uploaded_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX case_materials_case ON case_materials (county_code, case_id);

-- +goose Down
DROP TABLE case_materials;

-- 双公示 entries (see the MySQL migration).
-- +goose Up
CREATE TABLE publicity_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  kind TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source_id INTEGER NOT NULL,
  decision_no TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL,
  party_name TEXT NOT NULL,
  party_code TEXT NOT NULL,
  content TEXT NOT NULL,
  basis TEXT NOT NULL,
  decided_on TEXT NOT NULL,
  due_on TEXT NOT NULL,
  due_provisional INTEGER NOT NULL,
  status TEXT NOT NULL,
  warning TEXT NOT NULL,
  published_on TEXT NOT NULL,
  published_by INTEGER NOT NULL,
  revoked_on TEXT NOT NULL,
  withdraw_due TEXT NOT NULL,
  withdrawn_on TEXT NOT NULL,
  withdrawn_by INTEGER NOT NULL,
  withdraw_reason TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX publicity_entries_source ON publicity_entries (county_code, source_kind, source_id);
CREATE INDEX publicity_entries_status ON publicity_entries (county_code, status, due_on);
CREATE INDEX publicity_entries_open ON publicity_entries (status, warning, due_on);

-- +goose Down
DROP TABLE publicity_entries;

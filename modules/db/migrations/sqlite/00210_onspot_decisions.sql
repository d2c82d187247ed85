-- onspot_decisions (see the MySQL migration).
-- +goose Up
CREATE TABLE onspot_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  decision_no TEXT NOT NULL,
  doc_year INTEGER NOT NULL,
  doc_seq INTEGER NOT NULL,
  item_code TEXT NOT NULL,
  item_version INTEGER NOT NULL,
  item_name TEXT NOT NULL,
  party_kind TEXT NOT NULL,
  party_name TEXT NOT NULL,
  party_person_name TEXT NOT NULL DEFAULT '',
  party_credit_code TEXT NOT NULL DEFAULT '',
  party_id_number TEXT NOT NULL DEFAULT '',
  party_name_bidx TEXT NOT NULL DEFAULT '',
  party_id_bidx TEXT NOT NULL DEFAULT '',
  facts TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  penalty TEXT NOT NULL,
  fine_yuan INTEGER NOT NULL,
  place TEXT NOT NULL,
  decided_on TEXT NOT NULL,
  informed BOOLEAN NOT NULL,
  statement TEXT NOT NULL,
  refused_to_sign BOOLEAN NOT NULL DEFAULT 0,
  payment TEXT NOT NULL DEFAULT '',
  ground TEXT NOT NULL DEFAULT '',
  ground_note TEXT NOT NULL DEFAULT '',
  receipt_no TEXT NOT NULL DEFAULT '',
  collected_on TEXT NOT NULL DEFAULT '',
  handed_on TEXT NOT NULL DEFAULT '',
  handed_by INTEGER NOT NULL DEFAULT 0,
  banked_on TEXT NOT NULL DEFAULT '',
  banked_by INTEGER NOT NULL DEFAULT 0,
  deposit_warning TEXT NOT NULL DEFAULT 'none',
  payment_due TEXT NOT NULL DEFAULT '',
  paid_on TEXT NOT NULL DEFAULT '',
  paid_fen INTEGER NOT NULL DEFAULT 0,
  filed_on TEXT NOT NULL DEFAULT '',
  filed_by INTEGER NOT NULL DEFAULT 0,
  filed_by_name TEXT NOT NULL DEFAULT '',
  created_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX onspot_decisions_no ON onspot_decisions (county_code, doc_year, doc_seq);
CREATE INDEX onspot_decisions_deposit ON onspot_decisions (deposit_warning, payment, collected_on);

-- +goose Down
DROP TABLE onspot_decisions;

-- penalty_cases (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_cases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  county_code TEXT NOT NULL,
  case_no TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_version INTEGER NOT NULL,
  item_name TEXT NOT NULL,
  party_kind TEXT NOT NULL,
  party_name TEXT NOT NULL,
  party_credit_code TEXT NOT NULL,
  party_id_number TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  facts TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  major INTEGER NOT NULL,
  filed_on TEXT NOT NULL,
  filing_approved_by INTEGER NOT NULL,
  decision_due TEXT NOT NULL,
  extension_days INTEGER NOT NULL,
  penalties TEXT NOT NULL,
  proposed_fine_yuan INTEGER NOT NULL,
  confiscate_yuan INTEGER NOT NULL,
  notified_on TEXT NOT NULL,
  hearing_required INTEGER NOT NULL,
  hearing_request_due TEXT NOT NULL,
  hearing_requested_on TEXT NOT NULL,
  hearing_notice_on TEXT NOT NULL,
  hearing_on TEXT NOT NULL,
  heard_on TEXT NOT NULL,
  legal_reviewed_on TEXT NOT NULL,
  legal_reviewer_id INTEGER NOT NULL,
  legal_opinion TEXT NOT NULL,
  decided_on TEXT NOT NULL,
  decided_by INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  fine_yuan INTEGER NOT NULL,
  standard_id TEXT NOT NULL,
  tier_level TEXT NOT NULL,
  factors TEXT NOT NULL,
  reasons TEXT NOT NULL,
  mitigation_ground TEXT NOT NULL,
  collective_discussion TEXT NOT NULL,
  served_on TEXT NOT NULL,
  payment_due TEXT NOT NULL,
  paid_on TEXT NOT NULL,
  paid_fen INTEGER NOT NULL,
  closed_on TEXT NOT NULL,
  warning TEXT NOT NULL,
  payment_warning TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX penalty_cases_no ON penalty_cases (county_code, case_no);
CREATE INDEX penalty_cases_status ON penalty_cases (county_code, status, id);
CREATE INDEX penalty_cases_due ON penalty_cases (warning, decision_due);
CREATE INDEX penalty_cases_payment ON penalty_cases (payment_warning, payment_due);

-- +goose Down
DROP TABLE penalty_cases;

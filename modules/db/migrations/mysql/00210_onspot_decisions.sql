-- 当场行政处罚决定 (行政处罚法 第五十一条 to 第五十三条): the decision with
-- its number, the party (a natural person's name in party_person_name and
-- ID number sealed, with blind indexes), the penalty, the 备案 and the
-- payment: 当场收缴 with its deposit clock (第七十一条) or the bank within
-- fifteen days (第六十七条).
-- +goose Up
CREATE TABLE onspot_decisions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  decision_no VARCHAR(64) NOT NULL,
  doc_year INT NOT NULL,
  doc_seq INT NOT NULL,
  item_code VARCHAR(64) NOT NULL,
  item_version INT NOT NULL,
  item_name VARCHAR(200) NOT NULL,
  party_kind VARCHAR(16) NOT NULL,
  party_name VARCHAR(200) NOT NULL,
  party_person_name VARCHAR(1200) NOT NULL DEFAULT '',
  party_credit_code VARCHAR(18) NOT NULL DEFAULT '',
  party_id_number VARCHAR(255) NOT NULL DEFAULT '',
  party_name_bidx VARCHAR(64) NOT NULL DEFAULT '',
  party_id_bidx VARCHAR(64) NOT NULL DEFAULT '',
  facts TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  penalty VARCHAR(16) NOT NULL,
  fine_yuan BIGINT NOT NULL,
  place VARCHAR(200) NOT NULL,
  decided_on CHAR(10) NOT NULL,
  informed TINYINT(1) NOT NULL,
  statement TEXT NOT NULL,
  refused_to_sign TINYINT(1) NOT NULL DEFAULT 0,
  payment VARCHAR(16) NOT NULL DEFAULT '',
  ground VARCHAR(32) NOT NULL DEFAULT '',
  ground_note VARCHAR(500) NOT NULL DEFAULT '',
  receipt_no VARCHAR(64) NOT NULL DEFAULT '',
  collected_on CHAR(10) NOT NULL DEFAULT '',
  handed_on CHAR(10) NOT NULL DEFAULT '',
  handed_by BIGINT NOT NULL DEFAULT 0,
  banked_on CHAR(10) NOT NULL DEFAULT '',
  banked_by BIGINT NOT NULL DEFAULT 0,
  deposit_warning VARCHAR(8) NOT NULL DEFAULT 'none',
  payment_due CHAR(10) NOT NULL DEFAULT '',
  paid_on CHAR(10) NOT NULL DEFAULT '',
  paid_fen BIGINT NOT NULL DEFAULT 0,
  filed_on CHAR(10) NOT NULL DEFAULT '',
  filed_by BIGINT NOT NULL DEFAULT 0,
  filed_by_name VARCHAR(200) NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY onspot_decisions_no (county_code, doc_year, doc_seq),
  KEY onspot_decisions_deposit (deposit_warning, payment, collected_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE onspot_decisions;

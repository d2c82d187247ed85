-- The last number given to a county's 当场行政处罚决定书 of a year; the row
-- is locked by the transaction that records the next decision.
-- +goose Up
CREATE TABLE onspot_doc_numbers (
  county_code VARCHAR(6) NOT NULL,
  doc_year INT NOT NULL,
  last_seq INT NOT NULL,
  PRIMARY KEY (county_code, doc_year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE onspot_doc_numbers;

-- The last number given in each series of penalty documents of a county
-- and year; the row is locked by the transaction that issues the next.
-- +goose Up
CREATE TABLE penalty_doc_numbers (
  county_code VARCHAR(6) NOT NULL,
  series VARCHAR(16) NOT NULL,
  doc_year INT NOT NULL,
  last_seq INT NOT NULL,
  PRIMARY KEY (county_code, series, doc_year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE penalty_doc_numbers;

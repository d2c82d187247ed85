-- onspot_doc_numbers (see the MySQL migration).
-- +goose Up
CREATE TABLE onspot_doc_numbers (
  county_code TEXT NOT NULL,
  doc_year INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (county_code, doc_year)
);

-- +goose Down
DROP TABLE onspot_doc_numbers;

-- penalty_investigators (see the MySQL migration).
-- +goose Up
CREATE TABLE penalty_investigators (
  county_code TEXT NOT NULL,
  case_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  cert_no TEXT NOT NULL,
  PRIMARY KEY (county_code, case_id, user_id)
);

-- +goose Down
DROP TABLE penalty_investigators;

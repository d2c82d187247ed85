-- onspot_officers (see the MySQL migration).
-- +goose Up
CREATE TABLE onspot_officers (
  county_code TEXT NOT NULL,
  decision_id INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  cert_no TEXT NOT NULL,
  PRIMARY KEY (county_code, decision_id, slot)
);

-- +goose Down
DROP TABLE onspot_officers;

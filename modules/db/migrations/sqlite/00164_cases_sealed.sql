-- The applicant's phone's blind index and the retention mark (see the MySQL migration).
-- +goose Up
ALTER TABLE cases ADD COLUMN applicant_phone_bidx TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN personal_erased_on TEXT NULL;
CREATE INDEX cases_phone_bidx ON cases (county_code, applicant_phone_bidx);

-- +goose Down
DROP INDEX cases_phone_bidx;
ALTER TABLE cases DROP COLUMN personal_erased_on;
ALTER TABLE cases DROP COLUMN applicant_phone_bidx;

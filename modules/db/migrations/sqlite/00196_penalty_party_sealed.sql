-- The sealed name of a natural-person party, the blind indexes and the
-- retention mark of penalty cases (see the MySQL migration).
-- +goose Up
ALTER TABLE penalty_cases ADD COLUMN party_person_name TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN party_name_bidx TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN party_id_bidx TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN personal_erased_on TEXT NULL;

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN personal_erased_on;
ALTER TABLE penalty_cases DROP COLUMN party_id_bidx;
ALTER TABLE penalty_cases DROP COLUMN party_name_bidx;
ALTER TABLE penalty_cases DROP COLUMN party_person_name;

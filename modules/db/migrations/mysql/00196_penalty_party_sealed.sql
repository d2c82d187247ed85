-- A penalty case's natural-person party is sealed ("enc1:…", longer than
-- the plaintext): the name moves to party_person_name (party_name keeps an
-- organisation's name, plain), the ID number is sealed in place, and each has
-- a keyed blind index for the case list's q. personal_erased_on marks a case
-- whose personal fields the retention job erased. A name of 200 characters
-- seals to about 1,120.
-- +goose Up
ALTER TABLE penalty_cases
  MODIFY party_id_number VARCHAR(255) NOT NULL,
  ADD COLUMN party_person_name VARCHAR(1200) NOT NULL DEFAULT '',
  ADD COLUMN party_name_bidx VARCHAR(64) NOT NULL DEFAULT '',
  ADD COLUMN party_id_bidx VARCHAR(64) NOT NULL DEFAULT '',
  ADD COLUMN personal_erased_on CHAR(10) NULL;

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN personal_erased_on, DROP COLUMN party_id_bidx, DROP COLUMN party_name_bidx,
  DROP COLUMN party_person_name;

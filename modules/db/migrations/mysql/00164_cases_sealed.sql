-- The applicant's contact person and phone are sealed ("enc1:…", longer than
-- the plaintext); the phone's keyed blind index finds a case by phone
-- without decrypting anything.
-- +goose Up
ALTER TABLE cases
  MODIFY applicant_contact TEXT NOT NULL,
  MODIFY applicant_phone VARCHAR(255) NOT NULL,
  ADD COLUMN applicant_phone_bidx VARCHAR(64) NOT NULL DEFAULT '',
  ADD COLUMN personal_erased_on CHAR(10) NULL,
  ADD KEY cases_phone_bidx (county_code, applicant_phone_bidx);

-- +goose Down
ALTER TABLE cases DROP KEY cases_phone_bidx, DROP COLUMN personal_erased_on, DROP COLUMN applicant_phone_bidx;

-- The revocation of a decision (see the MySQL migration).
-- +goose Up
ALTER TABLE penalty_cases ADD COLUMN revoked_on TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN revocation TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN revocation;
ALTER TABLE penalty_cases DROP COLUMN revoked_on;

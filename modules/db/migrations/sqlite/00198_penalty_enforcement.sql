-- The enforcement of an unpaid fine (see the MySQL migration).
-- +goose Up
ALTER TABLE penalty_cases ADD COLUMN urged_on TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN enforcement_due TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN enforcement_applied_on TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN enforcement_court TEXT NOT NULL DEFAULT '';
ALTER TABLE penalty_cases ADD COLUMN enforcement_warning TEXT NOT NULL DEFAULT 'none';

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN enforcement_warning;
ALTER TABLE penalty_cases DROP COLUMN enforcement_court;
ALTER TABLE penalty_cases DROP COLUMN enforcement_applied_on;
ALTER TABLE penalty_cases DROP COLUMN enforcement_due;
ALTER TABLE penalty_cases DROP COLUMN urged_on;

-- The publication light of a penalty case (see the MySQL migration).
-- +goose Up
ALTER TABLE penalty_cases ADD COLUMN publication_warning TEXT NOT NULL DEFAULT 'none';

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN publication_warning;

-- The hash algorithm a chain's next entry is written with.
-- +goose Up
ALTER TABLE audit_chains ADD COLUMN algo TEXT NOT NULL DEFAULT 'sha256';

-- +goose Down
ALTER TABLE audit_chains DROP COLUMN algo;

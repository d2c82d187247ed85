-- The hash algorithm a chain's next entry is written with (its head row is
-- locked by every writer, so the switch and the writers never race).
-- +goose Up
ALTER TABLE audit_chains ADD COLUMN algo VARCHAR(8) NOT NULL DEFAULT 'sha256';

-- +goose Down
ALTER TABLE audit_chains DROP COLUMN algo;

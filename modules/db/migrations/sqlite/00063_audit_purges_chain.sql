-- +goose Up
ALTER TABLE audit_purges ADD COLUMN chain TEXT NOT NULL DEFAULT '*';

-- +goose Down
ALTER TABLE audit_purges DROP COLUMN chain;

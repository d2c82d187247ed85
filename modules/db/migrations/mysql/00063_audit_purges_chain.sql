-- +goose Up
ALTER TABLE audit_purges ADD COLUMN chain VARCHAR(6) NOT NULL DEFAULT '*' AFTER id;

-- +goose Down
ALTER TABLE audit_purges DROP COLUMN chain;

-- +goose Up
ALTER TABLE catalog_items ADD COLUMN latest_version INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE catalog_items DROP COLUMN latest_version;

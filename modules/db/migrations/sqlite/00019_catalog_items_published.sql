-- +goose Up
ALTER TABLE catalog_items ADD COLUMN published_version INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE catalog_items DROP COLUMN published_version;

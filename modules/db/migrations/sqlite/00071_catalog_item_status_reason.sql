-- Why an item has its status (see the MySQL migration).
-- +goose Up
ALTER TABLE catalog_items ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE catalog_items DROP COLUMN status_reason;

-- Why an item has its status: the reason an information item is marked
-- 不适用 (not applicable) to the bureau; '' for the other statuses.
-- +goose Up
ALTER TABLE catalog_items ADD COLUMN status_reason VARCHAR(500) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE catalog_items DROP COLUMN status_reason;

-- personal_erased_on marks an on-the-spot decision whose natural person's
-- name and ID number the retention job erased (as on penalty cases).
-- +goose Up
ALTER TABLE onspot_decisions ADD COLUMN personal_erased_on CHAR(10) NULL;

-- +goose Down
ALTER TABLE onspot_decisions DROP COLUMN personal_erased_on;

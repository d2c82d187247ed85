-- personal_erased_on of on-the-spot decisions (see the MySQL migration).
-- +goose Up
ALTER TABLE onspot_decisions ADD COLUMN personal_erased_on TEXT NULL;

-- +goose Down
ALTER TABLE onspot_decisions DROP COLUMN personal_erased_on;

-- The retention mark of information requests (see the MySQL migration).
-- +goose Up
ALTER TABLE info_requests ADD COLUMN personal_erased_on TEXT NULL;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN personal_erased_on;

-- The extension of an information request in working days (see the MySQL migration).
-- +goose Up
ALTER TABLE info_requests ADD COLUMN extension_workdays INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN extension_workdays;

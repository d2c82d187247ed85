-- Who asked (see the MySQL migration).
-- +goose Up
ALTER TABLE info_requests ADD COLUMN requester_type TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE info_requests DROP COLUMN requester_type;

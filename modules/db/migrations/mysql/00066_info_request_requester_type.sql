-- Who asked (the columns of the annual report's table 三, 国办公开办函〔2021〕30号):
-- natural, business, research, public_interest, legal_services, other_org;
-- '' for requests filed before it was asked.
-- +goose Up
ALTER TABLE info_requests ADD COLUMN requester_type VARCHAR(16) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE info_requests DROP COLUMN requester_type;

-- The requester's name and contact are sealed; personal_erased_on marks a
-- request whose personal fields the retention job erased.
-- +goose Up
ALTER TABLE info_requests
  MODIFY requester_name TEXT NOT NULL,
  MODIFY requester_contact TEXT NOT NULL,
  ADD COLUMN personal_erased_on CHAR(10) NULL;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN personal_erased_on;

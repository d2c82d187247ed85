-- +goose Up
-- Requests extended before the length was recorded were extended by the
-- whole 20 working days, the only extension there was (a file of its own:
-- one DDL statement per MySQL migration).
UPDATE info_requests SET extension_workdays = 20 WHERE extended = 1;

-- +goose Down
UPDATE info_requests SET extension_workdays = 0;

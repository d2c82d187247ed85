-- +goose Up
-- Requests extended before the length was recorded were extended by 20.
UPDATE info_requests SET extension_workdays = 20 WHERE extended = 1;

-- +goose Down
UPDATE info_requests SET extension_workdays = 0;

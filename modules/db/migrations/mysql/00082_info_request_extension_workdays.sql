-- How many working days an information request's answer period was
-- extended by: up to 20 (政府信息公开条例 第三十三条第二款), 0 when not extended.
-- +goose Up
ALTER TABLE info_requests ADD COLUMN extension_workdays INT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN extension_workdays;

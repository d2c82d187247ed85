-- 补正 of an information request (see the MySQL migration).
-- +goose Up
ALTER TABLE info_requests ADD COLUMN correction_notified_on TEXT NULL;
ALTER TABLE info_requests ADD COLUMN corrected_on TEXT NULL;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN corrected_on;
ALTER TABLE info_requests DROP COLUMN correction_notified_on;

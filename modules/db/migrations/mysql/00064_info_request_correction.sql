-- 补正 of an information request (政府信息公开条例 第三十条): when the
-- requester was told to correct it, and when the corrected request arrived
-- (the 20 working days run again from the day after).
-- +goose Up
ALTER TABLE info_requests
  ADD COLUMN correction_notified_on CHAR(10) NULL,
  ADD COLUMN corrected_on CHAR(10) NULL;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN correction_notified_on, DROP COLUMN corrected_on;

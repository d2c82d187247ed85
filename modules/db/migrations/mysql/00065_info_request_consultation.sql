-- The time an information request waits for third parties' or other
-- bodies' opinions, which the answer period does not count (政府信息公开条例
-- 第三十二条, 第三十三条第二款): one consultation per request, its first day
-- and its last.
-- +goose Up
ALTER TABLE info_requests
  ADD COLUMN consultation_started_on CHAR(10) NULL,
  ADD COLUMN consultation_ended_on CHAR(10) NULL;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN consultation_started_on, DROP COLUMN consultation_ended_on;

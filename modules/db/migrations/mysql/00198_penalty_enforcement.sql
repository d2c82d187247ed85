-- The enforcement of an unpaid fine: the day the 催告书 was served
-- (行政强制法 第五十四条), the last day to apply to the court (第五十三条) and
-- its light, and the application (one ALTER: one DDL statement).
-- +goose Up
ALTER TABLE penalty_cases ADD COLUMN urged_on CHAR(10) NOT NULL DEFAULT '',
  ADD COLUMN enforcement_due CHAR(10) NOT NULL DEFAULT '',
  ADD COLUMN enforcement_applied_on CHAR(10) NOT NULL DEFAULT '',
  ADD COLUMN enforcement_court VARCHAR(200) NOT NULL DEFAULT '',
  ADD COLUMN enforcement_warning VARCHAR(8) NOT NULL DEFAULT 'none';

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN urged_on, DROP COLUMN enforcement_due, DROP COLUMN enforcement_applied_on,
  DROP COLUMN enforcement_court, DROP COLUMN enforcement_warning;

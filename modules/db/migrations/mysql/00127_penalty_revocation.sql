-- A decision revoked, changed, confirmed unlawful or void (行政处罚法
-- 第四十八条第二款): when, how and why (one ALTER: one DDL statement).
-- +goose Up
ALTER TABLE penalty_cases ADD COLUMN revoked_on CHAR(10) NOT NULL DEFAULT '', ADD COLUMN revocation VARCHAR(2000) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN revoked_on, DROP COLUMN revocation;

-- payment_warning of on-the-spot decisions (see the MySQL migration).
-- +goose Up
ALTER TABLE onspot_decisions ADD COLUMN payment_warning TEXT NOT NULL DEFAULT 'none';

-- +goose Down
ALTER TABLE onspot_decisions DROP COLUMN payment_warning;

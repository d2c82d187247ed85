-- The light of a fine to be paid at the bank (第六十七条), raised once by the
-- overdue job when payment_due has passed unpaid.
-- +goose Up
ALTER TABLE onspot_decisions ADD COLUMN payment_warning VARCHAR(8) NOT NULL DEFAULT 'none';

-- +goose Down
ALTER TABLE onspot_decisions DROP COLUMN payment_warning;

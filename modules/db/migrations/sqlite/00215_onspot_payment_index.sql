-- +goose Up
CREATE INDEX onspot_decisions_payment ON onspot_decisions (payment_warning, payment_due);

-- +goose Down
DROP INDEX onspot_decisions_payment;

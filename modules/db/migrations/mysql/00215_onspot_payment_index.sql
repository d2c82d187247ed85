-- The overdue job's scan of fines unpaid at the bank (onspot.FlagOverdue).
-- +goose Up
CREATE INDEX onspot_decisions_payment ON onspot_decisions (payment_warning, payment_due) ALGORITHM=INPLACE LOCK=NONE;

-- +goose Down
DROP INDEX onspot_decisions_payment ON onspot_decisions;

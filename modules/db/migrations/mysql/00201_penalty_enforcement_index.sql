-- The overdue job's scan of the last day to apply to the court
-- (penalties.FlagOverdue), as for the decision and payment clocks.
-- +goose Up
CREATE INDEX penalty_cases_enforcement ON penalty_cases (enforcement_warning, enforcement_due) ALGORITHM=INPLACE LOCK=NONE;

-- +goose Down
DROP INDEX penalty_cases_enforcement ON penalty_cases;

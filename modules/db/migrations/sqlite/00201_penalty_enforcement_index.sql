-- +goose Up
CREATE INDEX penalty_cases_enforcement ON penalty_cases (enforcement_warning, enforcement_due);

-- +goose Down
DROP INDEX penalty_cases_enforcement;

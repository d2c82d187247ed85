-- The overdue job's light on a decision's publication: none, red (not
-- published within the 7 working days of 双公示) or withdraw_red (revoked and
-- not withdrawn within the 3 working days of 行政处罚法 第四十八条). Each is
-- raised once by a guarded update.
-- +goose Up
ALTER TABLE penalty_cases ADD COLUMN publication_warning VARCHAR(16) NOT NULL DEFAULT 'none';

-- +goose Down
ALTER TABLE penalty_cases DROP COLUMN publication_warning;

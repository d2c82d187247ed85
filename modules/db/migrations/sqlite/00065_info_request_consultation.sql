-- Consultation of an information request (see the MySQL migration).
-- +goose Up
ALTER TABLE info_requests ADD COLUMN consultation_started_on TEXT NULL;
ALTER TABLE info_requests ADD COLUMN consultation_ended_on TEXT NULL;

-- +goose Down
ALTER TABLE info_requests DROP COLUMN consultation_ended_on;
ALTER TABLE info_requests DROP COLUMN consultation_started_on;

-- The audit log becomes one hash chain per region (see the MySQL migrations 00059-00063).
-- +goose Up
ALTER TABLE audit_log ADD COLUMN chain TEXT NOT NULL DEFAULT '*';
DROP INDEX audit_log_seq;
CREATE UNIQUE INDEX audit_log_chain_seq ON audit_log (chain, seq);
DROP INDEX audit_log_region;
CREATE INDEX audit_log_region ON audit_log (region, at);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose Down
DROP INDEX audit_log_at;
DROP INDEX audit_log_region;
CREATE INDEX audit_log_region ON audit_log (region, seq);
DROP INDEX audit_log_chain_seq;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
ALTER TABLE audit_log DROP COLUMN chain;

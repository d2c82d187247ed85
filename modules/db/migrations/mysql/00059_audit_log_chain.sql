-- The audit log becomes one hash chain per region (each county, each
-- province, and '*' for the nation), so audited writes of different regions
-- no longer queue on one head row (00059-00063). Entries written before stay
-- the start of the national chain '*', with their seq and hashes as they
-- were. Older replicas must be stopped first: they write audit_head.
-- +goose Up
ALTER TABLE audit_log
  ADD COLUMN chain VARCHAR(6) NOT NULL DEFAULT '*' AFTER id,
  DROP INDEX audit_log_seq,
  ADD UNIQUE KEY audit_log_chain_seq (chain, seq),
  DROP INDEX audit_log_region,
  ADD KEY audit_log_region (region, at),
  ADD KEY audit_log_at (at);

-- +goose Down
-- Fails, rather than lose entries, once a second chain exists: its seq
-- collides with the single chain's unique key.
ALTER TABLE audit_log
  DROP INDEX audit_log_at,
  DROP INDEX audit_log_region,
  ADD KEY audit_log_region (region, seq),
  DROP INDEX audit_log_chain_seq,
  ADD UNIQUE KEY audit_log_seq (seq),
  DROP COLUMN chain;

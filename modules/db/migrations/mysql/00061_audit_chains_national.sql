-- The single chain's head becomes the national chain's, and back.
-- +goose Up
INSERT INTO audit_chains (chain, seq, hash) SELECT '*', seq, hash FROM audit_head WHERE id = 1;

-- +goose Down
INSERT INTO audit_head (id, seq, hash) SELECT 1, seq, hash FROM audit_chains WHERE chain = '*';
DELETE FROM audit_chains;

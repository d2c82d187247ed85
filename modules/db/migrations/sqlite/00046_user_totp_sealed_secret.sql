-- +goose Up
-- TOTP secrets are stored encrypted ("v1:" + base64 of nonce, ciphertext and tag).
-- SQLite's TEXT column already holds them; this keeps both dialects on one version sequence.
SELECT 1;

-- +goose Down
SELECT 1;

-- +goose Up
-- TOTP secrets are stored encrypted ("v1:" + base64 of nonce, ciphertext and tag; about 83 characters).
ALTER TABLE user_totp MODIFY secret VARCHAR(255) NOT NULL;

-- +goose Down
-- Irreversible in effect: sealed secrets do not fit the old VARCHAR(64), so
-- the column keeps its width (a no-op statement keeps goose's bookkeeping).
SELECT 1;

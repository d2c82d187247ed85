-- +goose Up
-- TOTP secrets are stored encrypted ("v1:" + base64 of nonce, ciphertext and tag; about 83 characters).
ALTER TABLE user_totp MODIFY secret VARCHAR(255) NOT NULL;

-- +goose Down
ALTER TABLE user_totp MODIFY secret VARCHAR(64) NOT NULL;

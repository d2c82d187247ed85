-- +goose Up
CREATE TABLE form_challenges (
  id CHAR(32) NOT NULL PRIMARY KEY,
  form VARCHAR(40) NOT NULL,
  nonce CHAR(32) NOT NULL,
  difficulty INT NOT NULL,
  issued_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  redeemed_at DATETIME(6) NULL,
  KEY form_challenges_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE form_challenges;

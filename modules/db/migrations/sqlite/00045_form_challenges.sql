-- +goose Up
CREATE TABLE form_challenges (
  id TEXT NOT NULL PRIMARY KEY,
  form TEXT NOT NULL,
  nonce TEXT NOT NULL,
  difficulty INTEGER NOT NULL,
  issued_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  redeemed_at DATETIME NULL
);
CREATE INDEX form_challenges_expires ON form_challenges (expires_at);

-- +goose Down
DROP TABLE form_challenges;

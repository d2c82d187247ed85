-- Where an audit chain changes its hash algorithm (see the MySQL migration).
-- +goose Up
CREATE TABLE audit_hash_anchors (
  chain TEXT NOT NULL,
  from_seq INTEGER NOT NULL,
  algo TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (chain, from_seq)
);

-- +goose Down
DROP TABLE audit_hash_anchors;

-- Where an audit chain changes its hash algorithm (SHA-256 to SM3 when the
-- database moves to the guomi profile): entries from from_seq on are hashed
-- with algo. A chain with no row is SHA-256 throughout, as before.
-- +goose Up
CREATE TABLE audit_hash_anchors (
  chain VARCHAR(6) NOT NULL,
  from_seq BIGINT NOT NULL,
  algo VARCHAR(8) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (chain, from_seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_hash_anchors;

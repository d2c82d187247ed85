-- +goose Up
CREATE TABLE idempotency_keys (
  owner VARCHAR(64) NOT NULL,
  idem_key VARCHAR(128) NOT NULL,
  route VARCHAR(255) NOT NULL,
  status INT NOT NULL,
  content_type VARCHAR(100) NOT NULL,
  body MEDIUMBLOB NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (owner, idem_key, route),
  KEY idempotency_keys_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE idempotency_keys;

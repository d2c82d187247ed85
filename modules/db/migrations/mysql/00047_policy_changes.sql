-- +goose Up
CREATE TABLE policy_changes (
  version BIGINT NOT NULL PRIMARY KEY,
  op VARCHAR(8) NOT NULL,
  user_id BIGINT NOT NULL,
  role VARCHAR(32) NOT NULL,
  region VARCHAR(6) NOT NULL,
  changed_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE policy_changes;

-- +goose Up
CREATE TABLE audit_purges (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  through_seq BIGINT NOT NULL,
  anchor_hash CHAR(64) NOT NULL,
  entries BIGINT NOT NULL,
  cutoff DATETIME(6) NOT NULL,
  purged_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_purges;

-- Key versions of the cryptographic profile (package seal): data sealed under
-- version N uses keys derived for N with N's profile (guomi: SM4-GCM/SM3;
-- international: AES-256-GCM/SHA-256) from the master key named by master_id
-- (a key check value, not the key). The highest version is current; the
-- profile of the database is the current version's.
-- +goose Up
CREATE TABLE crypto_keys (
  version INT NOT NULL PRIMARY KEY,
  profile VARCHAR(16) NOT NULL,
  master_id CHAR(16) NOT NULL,
  index_version INT NOT NULL,
  created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE crypto_keys;

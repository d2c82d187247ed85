-- Progress of the re-sealing sweep to a key version, per table: the last id
-- done, so a stopped sweep resumes where it was (pilotd rotate-key, the
-- crypto-sweep job).
-- +goose Up
CREATE TABLE crypto_sweeps (
  to_version INT NOT NULL,
  table_name VARCHAR(64) NOT NULL,
  last_id BIGINT NOT NULL,
  resealed BIGINT NOT NULL,
  done BOOLEAN NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (to_version, table_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE crypto_sweeps;

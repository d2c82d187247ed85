-- +goose Up
CREATE TABLE rate_limits (
  bucket VARCHAR(160) NOT NULL PRIMARY KEY,
  hits INT NOT NULL,
  window_end DATETIME(6) NOT NULL,
  KEY rate_limits_end (window_end)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE rate_limits;

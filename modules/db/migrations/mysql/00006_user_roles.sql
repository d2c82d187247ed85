-- +goose Up
CREATE TABLE user_roles (
  user_id BIGINT NOT NULL,
  role VARCHAR(32) NOT NULL,
  region VARCHAR(6) NOT NULL,
  granted_by BIGINT NOT NULL,
  granted_at DATETIME(6) NOT NULL,
  PRIMARY KEY (user_id, role, region),
  KEY user_roles_region (region, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE user_roles;

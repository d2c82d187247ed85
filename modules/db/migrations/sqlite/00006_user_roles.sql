-- +goose Up
CREATE TABLE user_roles (
  user_id INTEGER NOT NULL,
  role TEXT NOT NULL,
  region TEXT NOT NULL,
  granted_by INTEGER NOT NULL,
  granted_at DATETIME NOT NULL,
  PRIMARY KEY (user_id, role, region)
);
CREATE INDEX user_roles_region ON user_roles (region, role);

-- +goose Down
DROP TABLE user_roles;

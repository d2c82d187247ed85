-- Declared conflicts of interest (回避): an inspector must not be drawn for
-- this entity. The reason is kept; declarations are never deleted.
-- +goose Up
CREATE TABLE inspection_conflicts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  user_id BIGINT NOT NULL,
  entity_id BIGINT NOT NULL,
  reason TEXT NOT NULL,
  declared_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY inspection_conflicts_pair (county_code, user_id, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE inspection_conflicts;

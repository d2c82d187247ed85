-- The 双随机 draws of a plan, each with everything needed to run it again:
-- the algorithm's name, the seed (hex), both pools as ordered id lists, the
-- declared conflicts as "inspector:entity" pairs, and the result as JSON.
-- seq 1 is the first draw; a redraw (approved by the 负责人, with its
-- reason) adds seq 2, … and marks the earlier one superseded, which stays.
-- +goose Up
CREATE TABLE inspection_draws (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  county_code VARCHAR(6) NOT NULL,
  plan_id BIGINT NOT NULL,
  seq INT NOT NULL,
  algorithm VARCHAR(32) NOT NULL,
  seed VARCHAR(128) NOT NULL,
  entity_pool MEDIUMTEXT NOT NULL,
  inspector_pool TEXT NOT NULL,
  conflicts MEDIUMTEXT NOT NULL,
  entity_count INT NOT NULL,
  inspectors_per_entity INT NOT NULL,
  draw_result MEDIUMTEXT NOT NULL,
  reason TEXT NOT NULL,
  superseded BOOLEAN NOT NULL,
  drawn_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY inspection_draws_seq (county_code, plan_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE inspection_draws;

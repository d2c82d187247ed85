-- +goose Up
-- Entities' contact and phone are sealed; SQLite's TEXT already holds them.
-- This keeps both dialects on one version sequence.
SELECT 1;

-- +goose Down
SELECT 1;

-- A supervised entity's contact person and phone are sealed.
-- +goose Up
ALTER TABLE entities MODIFY contact TEXT NOT NULL, MODIFY phone VARCHAR(255) NOT NULL;

-- +goose Down
-- The columns keep their width: sealed values do not fit the old one.
SELECT 1;

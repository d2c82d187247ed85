-- +goose Up
INSERT INTO policy_version (id, version) VALUES (1, 1);

-- +goose Down
DELETE FROM policy_version WHERE id = 1;

-- +goose Up
-- 工作互评: the unit a voter group belongs to; its voters never evaluate that unit.
ALTER TABLE voter_groups ADD COLUMN unit text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE voter_groups DROP COLUMN unit;

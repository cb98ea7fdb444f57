-- +goose Up
-- region: the region (地区) a voter group belongs to, so that a survey of hundreds of
-- groups is shown folded by region with a subtotal each; '' for none.
ALTER TABLE voter_groups ADD COLUMN region text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE voter_groups DROP COLUMN region;

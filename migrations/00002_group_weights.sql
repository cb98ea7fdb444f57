-- +goose Up
-- A voter group's weight in weighted results, as an exact fraction (RULES: 民主测评 weights).
ALTER TABLE voter_groups
    ADD COLUMN weight_num bigint,
    ADD COLUMN weight_den bigint,
    ADD CONSTRAINT voter_groups_weight CHECK ((weight_num IS NULL) = (weight_den IS NULL) AND (weight_den IS NULL OR weight_den > 0));

-- +goose Down
ALTER TABLE voter_groups DROP COLUMN weight_num, DROP COLUMN weight_den;

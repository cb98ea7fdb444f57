-- +goose Up
-- 二次推荐: a round of recommendation seeded from an earlier one's count.
ALTER TABLE polls ADD COLUMN previous_round uuid REFERENCES polls(id) ON DELETE SET NULL;
CREATE INDEX polls_previous_round ON polls (previous_round);

-- +goose Down
ALTER TABLE polls DROP COLUMN previous_round;

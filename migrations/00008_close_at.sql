-- +goose Up
-- A scheduled close: at close_at an open poll closes by itself.
ALTER TABLE polls ADD COLUMN close_at timestamptz;
CREATE INDEX polls_close_at ON polls (close_at) WHERE state = 'open' AND close_at IS NOT NULL;

-- +goose Down
ALTER TABLE polls DROP COLUMN close_at;

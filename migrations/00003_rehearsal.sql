-- +goose Up
-- 模拟测评: a poll can run as a rehearsal with test tokens; wiping it removes the test
-- tokens and everything voted with them, and returns the poll to draft.
ALTER TABLE polls ADD COLUMN rehearsal boolean NOT NULL DEFAULT false;
ALTER TABLE token_batches ADD COLUMN rehearsal boolean NOT NULL DEFAULT false;
ALTER TABLE tokens ADD COLUMN rehearsal boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE tokens DROP COLUMN rehearsal;
ALTER TABLE token_batches DROP COLUMN rehearsal;
ALTER TABLE polls DROP COLUMN rehearsal;

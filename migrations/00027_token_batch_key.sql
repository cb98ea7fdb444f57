-- +goose Up
-- A token's poll and group are its batch's: one foreign key on the three says so, where
-- three keys checked each apart (and let a token name another poll than its batch's).
-- Every row inserted runs one check instead of three: a bulk issue of a million codes
-- spends most of its time in PostgreSQL on these checks. Deleting a poll or a group
-- still removes its tokens, through its batches.
ALTER TABLE token_batches ADD CONSTRAINT token_batches_id_poll_group UNIQUE (id, poll_id, group_id);
ALTER TABLE tokens DROP CONSTRAINT tokens_batch_id_fkey, DROP CONSTRAINT tokens_group_id_fkey, DROP CONSTRAINT tokens_poll_id_fkey,
    ADD CONSTRAINT tokens_batch_fkey FOREIGN KEY (batch_id, poll_id, group_id) REFERENCES token_batches (id, poll_id, group_id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE tokens DROP CONSTRAINT tokens_batch_fkey,
    ADD CONSTRAINT tokens_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES token_batches(id) ON DELETE CASCADE,
    ADD CONSTRAINT tokens_group_id_fkey FOREIGN KEY (group_id) REFERENCES voter_groups(id) ON DELETE CASCADE,
    ADD CONSTRAINT tokens_poll_id_fkey FOREIGN KEY (poll_id) REFERENCES polls(id) ON DELETE CASCADE;
ALTER TABLE token_batches DROP CONSTRAINT token_batches_id_poll_group;

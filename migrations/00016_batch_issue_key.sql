-- +goose Up
-- A batch remembers the form it was issued from (a random key per rendered form, or the
-- API's Idempotency-Key), so a second post of the same form issues nothing: the tokens of
-- the first post exist only in its download. One key may issue one batch per group (the
-- one-click issue for every group), never two for the same group.
-- hint is what the slips of the batch print to name it, e.g. ABCD…WXYZ: the first four
-- symbols of the first code and the last four of the last. Each is a quarter of a code,
-- so no code can be rebuilt or guessed from it, and a spoiled print run can be matched to
-- its batch before it is voided.
ALTER TABLE token_batches ADD COLUMN issue_key text CHECK (length(issue_key) BETWEEN 1 AND 100),
    ADD COLUMN hint text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX token_batches_issue_key ON token_batches (poll_id, issue_key, group_id) WHERE issue_key IS NOT NULL;

-- +goose Down
DROP INDEX token_batches_issue_key;
ALTER TABLE token_batches DROP COLUMN issue_key, DROP COLUMN hint;

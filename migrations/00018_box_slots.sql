-- +goose Up
-- The box holds no link to a voter, a server run or a time.
--
-- A ballot row is a random id, its poll, its voter group, its sealed bytes and, while the
-- poll is open, a nullifier: a keyed hash of the token that cast it (under a key other
-- than the one that finds the token), so a second submit finds it and is told the ballot
-- is already counted. Voting writes nothing to tokens: no transaction ties a token row to
-- a ballot row. Close rewrites the box with new ids and no nullifiers.
--
-- Rows are slots drawn before voting, in a random order, holding bytes of a sealed
-- ballot's length; a vote fills a random empty slot. The new row version stays on the
-- slot's page (half of each page is kept free for it), so neither the table's order nor
-- a dump's follows the order of voting. Sealed bytes stay in the row (no out-of-line
-- storage, whose ids are handed out in order) as long as a row fits in a page.
--
-- Ballots sealed before: their instance key moves into the sealed bytes (format 1), so
-- no row names a seal key any more.
ALTER TABLE ballots ADD COLUMN nullifier bytea CHECK (length(nullifier) = 32);
-- Also the index of a poll's box: a filled slot's new row version then enters two indexes
-- (this and the primary key), not four.
CREATE UNIQUE INDEX ballots_nullifier ON ballots (poll_id, nullifier);
DROP INDEX ballots_poll;
UPDATE ballots b SET sealed = '\x01'::bytea || k.public_key || b.sealed FROM seal_keys k WHERE k.id = b.seal_key_id;
ALTER TABLE ballots DROP COLUMN seal_key_id;
ALTER TABLE ballots ALTER COLUMN group_id DROP NOT NULL;
ALTER TABLE ballots SET (fillfactor = 50);
ALTER TABLE ballots ALTER COLUMN sealed SET STORAGE MAIN;
CREATE INDEX ballots_free ON ballots (poll_id, id) WHERE group_id IS NULL;

-- The nullifiers of a closed poll, from close until the count, in no order and tied to no
-- ballot: a poll opened again after close still refuses the tokens that voted.
CREATE TABLE spent (
    poll_id   uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    nullifier bytea NOT NULL CHECK (length(nullifier) = 32),
    PRIMARY KEY (poll_id, nullifier)
);

UPDATE paper_entries e SET sealed = '\x01'::bytea || k.public_key || e.sealed FROM seal_keys k WHERE k.id = e.seal_key_id;
ALTER TABLE paper_entries DROP COLUMN seal_key_id;
DROP TABLE seal_keys;

-- +goose Down
DROP TABLE spent;
CREATE TABLE seal_keys (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    poll_id    uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    public_key bytea NOT NULL CHECK (length(public_key) = 32)
);
DELETE FROM ballots WHERE group_id IS NULL;
DROP INDEX ballots_free;
CREATE INDEX ballots_poll ON ballots (poll_id);
ALTER TABLE ballots RESET (fillfactor);
ALTER TABLE ballots ALTER COLUMN sealed SET STORAGE EXTENDED;
ALTER TABLE ballots ALTER COLUMN group_id SET NOT NULL;
-- Every sealed ballot names its own key again; padded ballots (format 2) are kept as they
-- are and open only with the code that sealed them.
ALTER TABLE ballots ADD COLUMN seal_key_id uuid REFERENCES seal_keys(id);
ALTER TABLE paper_entries ADD COLUMN seal_key_id uuid REFERENCES seal_keys(id) ON DELETE CASCADE;
WITH k AS (INSERT INTO seal_keys (id, poll_id, public_key)
    SELECT b.id, b.poll_id, substring(b.sealed from 2 for 32) FROM ballots b RETURNING id)
UPDATE ballots b SET seal_key_id = b.id, sealed = substring(b.sealed from 34) FROM k WHERE k.id = b.id;
WITH k AS (INSERT INTO seal_keys (id, poll_id, public_key)
    SELECT e.id, e.poll_id, substring(e.sealed from 2 for 32) FROM paper_entries e RETURNING id)
UPDATE paper_entries e SET seal_key_id = e.id, sealed = substring(e.sealed from 34) FROM k WHERE k.id = e.id;
ALTER TABLE ballots ALTER COLUMN seal_key_id SET NOT NULL;
ALTER TABLE paper_entries ALTER COLUMN seal_key_id SET NOT NULL;
DROP INDEX ballots_nullifier;
ALTER TABLE ballots DROP COLUMN nullifier;

-- +goose Up
-- The box is partitioned by poll: the tables that hold a row per ballot (ballots, which
-- are also the slots; spent, a closed poll's nullifiers; receipts, a counted poll's
-- receipt codes) are split by a hash of the poll's id into eight partitions. A poll's
-- rows all lie in one partition, so every statement that names its poll reads and
-- writes one partition's heap and indexes, each an eighth of the whole, and vacuums one
-- eighth at a time; and the partitions are the units a box can later be spread over
-- several PostgreSQL servers by (a remainder of 8 splits into two of 16).
--
-- Why a hash and not a partition per poll (LIST, one made with each poll): on PostgreSQL
-- 15 a statement whose poll is known only when it runs (a prepared statement's generic
-- plan, or the batch's read, whose polls come from an array) locks every partition and
-- every partition's index when it starts, and prunes only after. Measured with 500 polls
-- partitioned by LIST, three indexes each: 1,503 locks taken by one prepared
-- `SELECT … WHERE poll_id = $1`, 1,505 by the batch's nullifier probe; each vote would
-- pay for every poll ever made, and a few batches at once would fill the lock table.
-- Making a partition also takes a lock on the whole box (about 30 ms each on the shared
-- machine, a vote of every poll waiting behind it) and leaves relations behind for every
-- poll, counted or deleted. With eight, a statement locks at most eight of each, whatever
-- the number of polls. What a partition per poll would have given, a close that swaps
-- the rewritten box in, needs the same lock on the whole box (DETACH) and is not done:
-- the close rewrites the poll's rows within its partition as before.
--
-- A primary key of a partitioned table holds its partition key: a ballot is found by
-- (poll, id), and every statement that finds one by its id names its poll too.
--
-- The rows move in a random order: nothing of where a row lay before survives the move.
-- The move writes the box once more in one transaction: a database holding a large box
-- (17 GB for a million ten-question ballots) needs that much free disk, and the upgrade
-- takes as long as writing it.
ALTER TABLE ballots RENAME TO ballots_unpartitioned;
ALTER INDEX ballots_pkey RENAME TO ballots_unpartitioned_pkey;
ALTER INDEX ballots_nullifier RENAME TO ballots_unpartitioned_nullifier;
ALTER INDEX ballots_free RENAME TO ballots_unpartitioned_free;
CREATE TABLE ballots (
    id        uuid NOT NULL DEFAULT gen_random_uuid(),
    poll_id   uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    group_id  uuid REFERENCES voter_groups(id),
    sealed    bytea NOT NULL,
    nullifier bytea CHECK (length(nullifier) = 32),
    PRIMARY KEY (poll_id, id)
) PARTITION BY HASH (poll_id);
-- Half of each page kept free, as before (00018): a filled slot's new version stays on
-- the slot's page.
CREATE TABLE ballots_h0 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 0) WITH (fillfactor = 50);
CREATE TABLE ballots_h1 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 1) WITH (fillfactor = 50);
CREATE TABLE ballots_h2 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 2) WITH (fillfactor = 50);
CREATE TABLE ballots_h3 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 3) WITH (fillfactor = 50);
CREATE TABLE ballots_h4 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 4) WITH (fillfactor = 50);
CREATE TABLE ballots_h5 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 5) WITH (fillfactor = 50);
CREATE TABLE ballots_h6 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 6) WITH (fillfactor = 50);
CREATE TABLE ballots_h7 PARTITION OF ballots FOR VALUES WITH (MODULUS 8, REMAINDER 7) WITH (fillfactor = 50);
ALTER TABLE ballots ALTER COLUMN sealed SET STORAGE MAIN;
CREATE UNIQUE INDEX ballots_nullifier ON ballots (poll_id, nullifier);
CREATE INDEX ballots_free ON ballots (poll_id, id) WHERE group_id IS NULL;
INSERT INTO ballots (id, poll_id, group_id, sealed, nullifier)
    SELECT id, poll_id, group_id, sealed, nullifier FROM ballots_unpartitioned ORDER BY gen_random_uuid();
DROP TABLE ballots_unpartitioned;

ALTER TABLE spent RENAME TO spent_unpartitioned;
ALTER INDEX spent_pkey RENAME TO spent_unpartitioned_pkey;
CREATE TABLE spent (
    poll_id   uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    nullifier bytea NOT NULL CHECK (length(nullifier) = 32),
    PRIMARY KEY (poll_id, nullifier)
) PARTITION BY HASH (poll_id);
CREATE TABLE spent_h0 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE spent_h1 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE spent_h2 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE spent_h3 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE spent_h4 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE spent_h5 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE spent_h6 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE spent_h7 PARTITION OF spent FOR VALUES WITH (MODULUS 8, REMAINDER 7);
INSERT INTO spent (poll_id, nullifier)
    SELECT poll_id, nullifier FROM spent_unpartitioned ORDER BY gen_random_uuid();
DROP TABLE spent_unpartitioned;

-- A receipt is looked up by its code alone (which counted polls hold it): one probe of
-- each partition's index, eight in all.
ALTER TABLE receipts RENAME TO receipts_unpartitioned;
ALTER INDEX receipts_pkey RENAME TO receipts_unpartitioned_pkey;
CREATE TABLE receipts (
    code    text NOT NULL,
    poll_id uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    PRIMARY KEY (code, poll_id)
) PARTITION BY HASH (poll_id);
CREATE TABLE receipts_h0 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE receipts_h1 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE receipts_h2 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE receipts_h3 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE receipts_h4 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE receipts_h5 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE receipts_h6 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE receipts_h7 PARTITION OF receipts FOR VALUES WITH (MODULUS 8, REMAINDER 7);
INSERT INTO receipts (code, poll_id) SELECT code, poll_id FROM receipts_unpartitioned;
DROP TABLE receipts_unpartitioned;

-- +goose Down
ALTER TABLE receipts RENAME TO receipts_partitioned;
ALTER INDEX receipts_pkey RENAME TO receipts_partitioned_pkey;
CREATE TABLE receipts (
    code    text NOT NULL,
    poll_id uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    PRIMARY KEY (code, poll_id)
);
INSERT INTO receipts (code, poll_id) SELECT code, poll_id FROM receipts_partitioned;
DROP TABLE receipts_partitioned;

ALTER TABLE spent RENAME TO spent_partitioned;
ALTER INDEX spent_pkey RENAME TO spent_partitioned_pkey;
CREATE TABLE spent (
    poll_id   uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    nullifier bytea NOT NULL CHECK (length(nullifier) = 32),
    PRIMARY KEY (poll_id, nullifier)
);
INSERT INTO spent (poll_id, nullifier) SELECT poll_id, nullifier FROM spent_partitioned ORDER BY gen_random_uuid();
DROP TABLE spent_partitioned;

ALTER TABLE ballots RENAME TO ballots_partitioned;
ALTER INDEX ballots_pkey RENAME TO ballots_partitioned_pkey;
ALTER INDEX ballots_nullifier RENAME TO ballots_partitioned_nullifier;
ALTER INDEX ballots_free RENAME TO ballots_partitioned_free;
CREATE TABLE ballots (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    poll_id   uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    group_id  uuid REFERENCES voter_groups(id),
    sealed    bytea NOT NULL,
    nullifier bytea CHECK (length(nullifier) = 32)
) WITH (fillfactor = 50);
ALTER TABLE ballots ALTER COLUMN sealed SET STORAGE MAIN;
CREATE UNIQUE INDEX ballots_nullifier ON ballots (poll_id, nullifier);
CREATE INDEX ballots_free ON ballots (poll_id, id) WHERE group_id IS NULL;
INSERT INTO ballots (id, poll_id, group_id, sealed, nullifier)
    SELECT id, poll_id, group_id, sealed, nullifier FROM ballots_partitioned ORDER BY gen_random_uuid();
DROP TABLE ballots_partitioned;

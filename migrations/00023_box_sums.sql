-- +goose Up
-- The sums of a box kept as its ballots are sealed. Each batch of ballots of one voter
-- group leaves one row, in the batch's own transaction: how many ballots, the sum of
-- their tags (a keyed hash of each receipt, added mod 2^256), their ciphertexts added
-- cell by cell, and a MAC under a key derived from the server secret over all of it and
-- the row's random id. Like a ballot row, a row holds no instance, run, time or serial.
-- At close the rows of each group are folded into one under a new id, so that no row says
-- which batch a ballot came in. The count takes a group's sums from its rows when they
-- match its ballots, and checks every ballot of the group otherwise.
CREATE TABLE box_sums (
    id       uuid PRIMARY KEY,
    poll_id  uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    group_id uuid NOT NULL REFERENCES voter_groups(id) ON DELETE CASCADE,
    n        integer NOT NULL,
    tags     bytea NOT NULL,
    sums     bytea NOT NULL,
    mac      bytea NOT NULL
);
CREATE INDEX box_sums_poll ON box_sums (poll_id);

-- +goose Down
DROP TABLE box_sums;

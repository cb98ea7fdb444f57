-- +goose Up
-- The count of a poll whose key the tellers hold runs on their devices. Starting it forms
-- the box's sums and keeps what each teller's device decrypts (the points, the context the
-- proofs are bound to) with the sums themselves and a digest of the box, so the finish
-- combines exactly what was decrypted and refuses a box that changed since. A teller's
-- partial decryption is kept once its proof checks; no share ever reaches the server.
-- A round has a random id, which a partial is checked against before it is kept, and a
-- seal (a MAC under a key derived from the server secret) over everything the devices are
-- given and the finish combines: a writer of the database cannot swap the points for one
-- ballot's ciphertexts, or the sums for others.
-- The round belongs to the key ceremony: a rehearsal's wipe, which drops the ceremony,
-- drops its count too.
CREATE TABLE count_rounds (
    poll_id       uuid PRIMARY KEY REFERENCES ceremonies(poll_id) ON DELETE CASCADE,
    round         bytea NOT NULL CHECK (length(round) = 16),
    seal          bytea NOT NULL CHECK (length(seal) = 32),
    quorum        smallint NOT NULL CHECK (quorum >= 1),
    box_digest    bytea NOT NULL CHECK (length(box_digest) = 32),
    sums          bytea NOT NULL,
    points        bytea NOT NULL CHECK (length(points) % 32 = 0),
    context       bytea NOT NULL,
    paper_pending integer NOT NULL DEFAULT 0,
    started_by    uuid REFERENCES staff(id),
    started_name  text NOT NULL DEFAULT '',
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

CREATE TABLE count_partials (
    poll_id   uuid NOT NULL REFERENCES count_rounds(poll_id) ON DELETE CASCADE,
    seat      smallint NOT NULL CHECK (seat >= 1),
    d         bytea NOT NULL CHECK (length(d) % 32 = 0),
    proof     bytea NOT NULL,
    posted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (poll_id, seat)
);

-- +goose Down
DROP TABLE count_partials;
DROP TABLE count_rounds;

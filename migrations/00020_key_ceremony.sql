-- +goose Up
-- The tellers' key ceremony: the poll's key is made on the tellers' own devices (a joint
-- Feldman distributed key generation run through the server), so it never exists whole.
-- The server keeps public data only: each seat's communication key, its Feldman
-- commitments, the shares it dealt sealed to the other seats' communication keys, a
-- complaint against a dealer whose share failed its check, and the proof that the seat
-- loaded its backup. A restart gives the ceremony a new id and new seats.
CREATE TABLE ceremonies (
    poll_id    uuid PRIMARY KEY REFERENCES polls(id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    tellers    smallint NOT NULL CHECK (tellers BETWEEN 1 AND 255),
    quorum     smallint NOT NULL CHECK (quorum BETWEEN 1 AND tellers),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A seat is teller j's place in the ceremony; its link carries a random token of which
-- only a keyed hash is kept, like a voter's.
CREATE TABLE ceremony_seats (
    poll_id     uuid NOT NULL REFERENCES ceremonies(poll_id) ON DELETE CASCADE,
    seat        smallint NOT NULL CHECK (seat >= 1),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    comm_key    bytea CHECK (length(comm_key) = 32),
    commitments bytea,
    sealed      bytea,
    complaint   smallint,
    challenge   bytea CHECK (length(challenge) = 32),
    transcript  bytea CHECK (length(transcript) = 32),
    ready_at    timestamptz,
    PRIMARY KEY (poll_id, seat)
);

-- +goose Down
DROP TABLE ceremony_seats;
DROP TABLE ceremonies;

-- +goose Up

-- 单位: every poll belongs to one; staff see only their unit's polls (admin sees all).
CREATE TABLE units (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    unit_id       uuid REFERENCES units(id),
    username      text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'organizer', 'teller', 'evaluator')),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (role = 'admin' OR unit_id IS NOT NULL)
);

-- Server-side sessions; only a SHA-256 of the cookie or bearer value is kept.
CREATE TABLE sessions (
    id         bytea PRIMARY KEY,
    staff_id   uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    csrf       text NOT NULL,
    api        boolean NOT NULL DEFAULT false,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- A poll's forms and settings live in definition (ballot.Poll without its groups); the
-- X25519 public key is fixed when the poll opens.
CREATE TABLE polls (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    unit_id    uuid NOT NULL REFERENCES units(id),
    title      text NOT NULL,
    state      text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed', 'counted')),
    definition jsonb NOT NULL,
    public_key bytea,
    created_by uuid REFERENCES staff(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    opened_at  timestamptz,
    closed_at  timestamptz,
    counted_at timestamptz,
    CHECK (state = 'draft' OR public_key IS NOT NULL)
);
CREATE INDEX polls_unit ON polls (unit_id, created_at DESC);

-- 参评类别 with 应到.
CREATE TABLE voter_groups (
    id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    poll_id  uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    position int NOT NULL,
    name     text NOT NULL,
    expected int NOT NULL CHECK (expected > 0),
    UNIQUE (poll_id, position),
    UNIQUE (poll_id, name)
);

CREATE TABLE token_batches (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    poll_id    uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    group_id   uuid NOT NULL REFERENCES voter_groups(id) ON DELETE CASCADE,
    count      int NOT NULL CHECK (count > 0),
    created_by uuid REFERENCES staff(id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- 投票凭证: only HMAC-SHA256(server secret, token); the secret is not in the database. No
-- time of use is kept, so the order of voting is not recorded anywhere.
CREATE TABLE tokens (
    hash     bytea PRIMARY KEY CHECK (length(hash) = 32),
    poll_id  uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    group_id uuid NOT NULL REFERENCES voter_groups(id) ON DELETE CASCADE,
    batch_id uuid NOT NULL REFERENCES token_batches(id) ON DELETE CASCADE,
    state    text NOT NULL DEFAULT 'issued' CHECK (state IN ('issued', 'used', 'void'))
);
CREATE INDEX tokens_turnout ON tokens (poll_id, group_id, state);
CREATE INDEX tokens_batch ON tokens (batch_id);

-- The poll private key, wrapped under a key derived from the server secret, while it is
-- held server-side (the default 1-of-1 teller share). Released only after close.
CREATE TABLE key_shares (
    poll_id uuid PRIMARY KEY REFERENCES polls(id) ON DELETE CASCADE,
    wrapped bytea NOT NULL
);

-- One ephemeral X25519 public key per (server instance, poll).
CREATE TABLE seal_keys (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    poll_id    uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    public_key bytea NOT NULL CHECK (length(public_key) = 32)
);

-- 投票箱. Nothing here links a ballot to a voter or to the moment it was cast.
CREATE TABLE ballots (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    poll_id     uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    group_id    uuid NOT NULL REFERENCES voter_groups(id),
    seal_key_id uuid NOT NULL REFERENCES seal_keys(id),
    sealed      bytea NOT NULL
);
CREATE INDEX ballots_poll ON ballots (poll_id);

CREATE TABLE tallies (
    poll_id    uuid PRIMARY KEY REFERENCES polls(id) ON DELETE CASCADE,
    result     jsonb NOT NULL,
    counted_by uuid REFERENCES staff(id),
    counted_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE tallies, ballots, seal_keys, key_shares, tokens, token_batches, voter_groups, polls, sessions, staff, units;

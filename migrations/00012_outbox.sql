-- +goose Up
-- Receivers of filed record entries, and the outbox that delivers each entry to each of
-- them: written with the entry, delivered by any instance with retries; a delivery in
-- flight holds a lease (next_at), so one that dies is taken up again.
CREATE TABLE receivers (
    id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name   text NOT NULL,
    url    text NOT NULL,
    secret text NOT NULL,
    active boolean NOT NULL DEFAULT true
);

CREATE TABLE outbox (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    receiver_id  uuid NOT NULL REFERENCES receivers(id) ON DELETE CASCADE,
    entry_id     uuid NOT NULL REFERENCES record_entries(id),
    payload      bytea NOT NULL,
    attempts     int NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    last_error   text NOT NULL DEFAULT '',
    UNIQUE (receiver_id, entry_id)
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;

-- +goose Down
DROP TABLE outbox;
DROP TABLE receivers;

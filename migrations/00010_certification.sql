-- +goose Up
-- The signed bundle of each count, and the receipt codes it certifies, for voters to look
-- up (a receipt proves inclusion only; it is a hash of a sealed ballot, not of a voter).
ALTER TABLE tallies ADD COLUMN bundle bytea, ADD COLUMN signature bytea, ADD COLUMN public_key bytea;
CREATE TABLE receipts (
    code    text NOT NULL,
    poll_id uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    PRIMARY KEY (code, poll_id)
);

-- +goose Down
DROP TABLE receipts;
ALTER TABLE tallies DROP COLUMN bundle, DROP COLUMN signature, DROP COLUMN public_key;

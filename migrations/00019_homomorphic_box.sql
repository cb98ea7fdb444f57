-- +goose Up
-- The box of a poll opened from now on holds ElGamal ciphertexts that add up (box 3):
-- one per form, line and option, with their proofs, and the free texts sealed to the same
-- key. The count adds them and decrypts the sums only. Polls opened before keep their
-- sealed ballots (box 2) and are counted as they were.
ALTER TABLE polls ADD COLUMN box smallint CHECK (box IN (2, 3));
UPDATE polls SET box = 2 WHERE state <> 'draft';
-- The tellers' public shares s_j·G, 32 bytes each in the tellers' order: what a partial
-- decryption is checked against. The shares themselves are never stored.
ALTER TABLE polls ADD COLUMN public_shares bytea CHECK (length(public_shares) % 32 = 0);

-- +goose Down
ALTER TABLE polls DROP COLUMN public_shares;
ALTER TABLE polls DROP COLUMN box;

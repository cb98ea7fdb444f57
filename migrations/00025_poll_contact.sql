-- +goose Up
-- contact: whom a voter asks when the token is refused (used, voided, voting not open),
-- as the organizer wrote it; empty when none was set.
ALTER TABLE polls ADD COLUMN contact text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE polls DROP COLUMN contact;

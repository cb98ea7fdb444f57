-- +goose Up
-- keeps_sums: the poll was opened by a server that keeps the box's sums as its ballots are
-- sealed (box_sums); a poll opened before that has rows for only part of its box, and is
-- counted ballot by ballot without a note. closes: how many times the poll was closed;
-- a row folded at close names it, so a folded row of an earlier close (the poll was
-- opened again since) put back in place of the current one holds no more.
ALTER TABLE polls ADD COLUMN keeps_sums boolean NOT NULL DEFAULT false;
ALTER TABLE polls ADD COLUMN closes integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE polls DROP COLUMN closes;
ALTER TABLE polls DROP COLUMN keeps_sums;

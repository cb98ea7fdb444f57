-- +goose Up
-- Paper ballots beside phones. A token marked 'paper' votes on paper, not by phone, and
-- counts toward turnout. Paper ballots are entered twice by different staff: the first
-- entry waits sealed to the poll key, with a digest of its content under a key derived
-- from the server secret (not in the database); a matching second entry puts the ballot
-- in the box, like any other. No entry names a token.
ALTER TABLE tokens DROP CONSTRAINT tokens_state_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_state_check CHECK (state IN ('issued', 'used', 'void', 'paper'));
-- How many paper ballots went into the box, per group: a count, never a mark on a ballot,
-- so a paper ballot cannot be told from the others in the box.
ALTER TABLE voter_groups ADD COLUMN paper_ballots int NOT NULL DEFAULT 0;

CREATE TABLE paper_entries (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    poll_id     uuid NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    group_id    uuid NOT NULL REFERENCES voter_groups(id) ON DELETE CASCADE,
    digest      bytea NOT NULL,
    seal_key_id uuid NOT NULL REFERENCES seal_keys(id) ON DELETE CASCADE,
    sealed      bytea NOT NULL,
    entered_by  uuid NOT NULL REFERENCES staff(id)
);
CREATE INDEX paper_entries_match ON paper_entries (poll_id, group_id, digest);

-- +goose Down
DROP TABLE paper_entries;
ALTER TABLE voter_groups DROP COLUMN paper_ballots;
ALTER TABLE tokens DROP CONSTRAINT tokens_state_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_state_check CHECK (state IN ('issued', 'used', 'void'));

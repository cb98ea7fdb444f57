-- +goose Up
-- The cadre register (干部) of each unit, and the record entries filed from counted polls.
CREATE TABLE cadres (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    unit_id    uuid NOT NULL REFERENCES units(id),
    name       text NOT NULL,
    gender     text NOT NULL DEFAULT '',
    birth_year int NOT NULL DEFAULT 0,
    post       text NOT NULL DEFAULT '',
    UNIQUE (unit_id, name, post)
);

-- Append-only: a correction is a new entry citing the one it corrects. Filing a poll
-- twice adds nothing (one original entry per result line).
CREATE TABLE record_entries (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cadre_id   uuid REFERENCES cadres(id),
    unit_id    uuid NOT NULL REFERENCES units(id),
    poll_id    uuid NOT NULL,
    poll_title text NOT NULL,
    poll_date  timestamptz NOT NULL,
    form_id    text NOT NULL,
    form_title text NOT NULL,
    line       text NOT NULL,
    kind       text NOT NULL,
    name       text NOT NULL,
    post       text NOT NULL,
    summary    text NOT NULL,
    flags      jsonb NOT NULL,
    corrects   uuid REFERENCES record_entries(id),
    filed_by   uuid REFERENCES staff(id),
    filed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX record_entries_once ON record_entries (poll_id, form_id, line) WHERE corrects IS NULL;
CREATE INDEX record_entries_cadre ON record_entries (cadre_id, poll_date);

-- +goose StatementBegin
CREATE FUNCTION record_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'record_entries is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER record_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON record_entries
    FOR EACH STATEMENT EXECUTE FUNCTION record_entries_append_only();

-- +goose Down
DROP TABLE record_entries;
DROP FUNCTION record_entries_append_only();
DROP TABLE cadres;

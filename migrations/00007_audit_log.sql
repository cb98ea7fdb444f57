-- +goose Up
-- Organizer actions, append-only and hash-chained (who, what, when). No token and nothing
-- of a ballot is ever written here. poll_id has no foreign key: deleting a draft poll
-- must not touch the log.
CREATE TABLE audit_log (
    seq        bigint PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    actor_name text NOT NULL,
    poll_id    uuid,
    action     text NOT NULL,
    detail     text NOT NULL,
    prev       bytea NOT NULL,
    hash       bytea NOT NULL
);
CREATE INDEX audit_log_poll ON audit_log (poll_id, seq);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();

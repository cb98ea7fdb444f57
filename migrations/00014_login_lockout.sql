-- +goose Up
-- Failed logins in a row, and the lock they lead to; a successful login or a password
-- reset clears both.
ALTER TABLE staff ADD COLUMN failed_logins int NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz;

-- +goose Down
ALTER TABLE staff DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- +goose Up
-- Failed logins in a row are counted per username typed, whether or not an account has
-- it: a lock only real accounts could reach would tell which usernames exist. A
-- successful login or a password reset clears the username's row.
CREATE TABLE login_failures (
	username     text PRIMARY KEY,
	failed       int NOT NULL DEFAULT 0,
	locked_until timestamptz,
	last_failed  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE staff DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE staff ADD COLUMN failed_logins int NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz;
DROP TABLE login_failures;

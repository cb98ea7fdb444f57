-- +goose Up
-- The read-only link of a poll's big screen (大屏): it shows turnout only.
ALTER TABLE polls ADD COLUMN screen_key text UNIQUE;

-- +goose Down
ALTER TABLE polls DROP COLUMN screen_key;

-- +goose Up
-- Who holds a poll's key is now a setting of its definition (key_holder). A poll without
-- tellers used to get a key the server drew and kept; from now on its organizer's own
-- device holds it, and the server only where the organizer chose so. Polls already opened
-- without tellers were given the server's key: they say so, and keep counting with it. A
-- rehearsal is left out: its wipe makes a draft of it again, whose real run must not keep a
-- server key it did not choose (a rehearsal under way when this runs is wiped and started
-- again).
UPDATE polls SET definition = definition || '{"key_holder": "server"}'
 WHERE state <> 'draft' AND NOT rehearsal AND coalesce(jsonb_array_length(definition -> 'tellers'), 0) = 0;

-- +goose Down
UPDATE polls SET definition = definition - 'key_holder';

-- +goose Up
-- 选拔任用纪实: a selection for a post and its steps; voting steps link their polls.
CREATE TABLE selections (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    unit_id    uuid NOT NULL REFERENCES units(id),
    post       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE selection_steps (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    selection_id uuid NOT NULL REFERENCES selections(id) ON DELETE CASCADE,
    kind         text NOT NULL,
    date         date NOT NULL,
    note         text NOT NULL DEFAULT '',
    poll_id      uuid REFERENCES polls(id)
);
CREATE INDEX selection_steps_of ON selection_steps (selection_id, date);

-- +goose Down
DROP TABLE selection_steps;
DROP TABLE selections;

-- +goose Up
-- The assessment year (年度) a poll's results are filed under, set from the title or by
-- the organizer; and on each record entry the year it was filed under and whether it is
-- about a unit's leadership team (领导班子) rather than a person.
ALTER TABLE polls ADD COLUMN year int NOT NULL DEFAULT 0;
UPDATE polls SET year = COALESCE(
    (substring(title FROM '((?:19|20)[0-9]{2})\s*年'))::int,
    CASE WHEN title LIKE '%年度考核%' AND extract(month FROM created_at AT TIME ZONE 'Asia/Shanghai') <= 3
        THEN extract(year FROM created_at AT TIME ZONE 'Asia/Shanghai')::int - 1
        ELSE extract(year FROM created_at AT TIME ZONE 'Asia/Shanghai')::int END);

-- Entries are append-only: those filed before keep year 0 and are read by their date.
ALTER TABLE record_entries ADD COLUMN year int NOT NULL DEFAULT 0, ADD COLUMN team boolean NOT NULL DEFAULT false;
CREATE INDEX record_entries_unit_year ON record_entries (unit_id, year);

-- +goose Down
DROP INDEX record_entries_unit_year;
ALTER TABLE record_entries DROP COLUMN year, DROP COLUMN team;
ALTER TABLE polls DROP COLUMN year;

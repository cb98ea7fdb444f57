-- +goose Up
-- lang: the language the poll's voter pages are shown in (zh or en); a voter may still
-- switch with the link on the page. Every poll so far was Chinese.
ALTER TABLE polls ADD COLUMN lang text NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en'));

-- +goose Down
ALTER TABLE polls DROP COLUMN lang;

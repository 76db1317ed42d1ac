-- 009: how many adverts each search query listed in a run (JSON {query: count}), so the next run can tell a
-- board that shrank sharply for one night from one whose adverts really closed; and how many closed adverts
-- a run saw listed again and reopened.
ALTER TABLE crawl_runs ADD COLUMN listing_counts VARCHAR;
ALTER TABLE crawl_runs ADD COLUMN adverts_reopened INTEGER DEFAULT 0;

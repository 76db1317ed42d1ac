-- 007: what discovery could not read is an error of the run, shown by `cijobs status` and the runs page:
-- search pages that failed or could not be parsed, and advert links with no readable reference.
ALTER TABLE crawl_runs ADD COLUMN discovery_errors INTEGER DEFAULT 0;
ALTER TABLE crawl_runs ADD COLUMN links_unreadable INTEGER DEFAULT 0;

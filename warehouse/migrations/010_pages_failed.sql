-- 010: advert pages that still failed after every retry (a 5xx each time, a time-out) are an error of the run,
-- shown by the run summary and `cijobs status`; the advert stays as it was (listed, so never closed for it).
ALTER TABLE crawl_runs ADD COLUMN pages_failed INTEGER DEFAULT 0;

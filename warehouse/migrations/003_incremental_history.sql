-- 003: incremental crawls and history.
-- discovery_hash: fingerprint of the advert's search-result record, so that a known advert whose
-- listing has not changed is not fetched again. duplicate_of: the earlier advert this one re-posts.
ALTER TABLE adverts ADD COLUMN discovery_hash VARCHAR;
ALTER TABLE adverts ADD COLUMN duplicate_of INTEGER;

ALTER TABLE crawl_runs ADD COLUMN adverts_skipped INTEGER DEFAULT 0;     -- listed, unchanged, not fetched
ALTER TABLE crawl_runs ADD COLUMN adverts_withdrawn INTEGER DEFAULT 0;   -- 404/410 on fetch
ALTER TABLE crawl_runs ADD COLUMN adverts_duplicate INTEGER DEFAULT 0;   -- re-posts found this run
ALTER TABLE crawl_runs ADD COLUMN responses_by_status VARCHAR;           -- JSON {"200": n, "404": n}
ALTER TABLE crawl_runs ADD COLUMN duration_seconds DOUBLE;

-- Demand counts each job once: re-posts (duplicate_of set) are left out of the trend.
CREATE OR REPLACE VIEW domain_demand_monthly AS
WITH informatics AS (
    SELECT advert_id, CAST(date_trunc('month', coalesce(date_posted, CAST(first_seen AS DATE))) AS DATE) AS month
    FROM adverts
    WHERE is_informatics AND duplicate_of IS NULL
), totals AS (
    SELECT month, count(*) AS informatics_adverts FROM informatics GROUP BY month
), current_domains AS (
    SELECT d.domain_id, d.title
    FROM domains d JOIN framework_versions f ON f.version = d.framework_version AND f.is_current
)
SELECT t.month, cd.domain_id, cd.title AS domain_title, t.informatics_adverts,
       count(dd.advert_id) AS adverts_needing,
       count(dd.advert_id) / t.informatics_adverts AS share
FROM totals t
CROSS JOIN current_domains cd
LEFT JOIN informatics i ON i.month = t.month
LEFT JOIN advert_domain_demand dd ON dd.advert_id = i.advert_id AND dd.domain_id = cd.domain_id
GROUP BY t.month, cd.domain_id, cd.title, t.informatics_adverts;

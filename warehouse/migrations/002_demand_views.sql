-- 002: which matcher is current, and the demand views the dashboard and exports read.

CREATE TABLE warehouse_state (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Matches of the current framework version and the current matcher version only.
CREATE VIEW current_matches AS
SELECT m.requirement_id, r.advert_id, r.section, r.level, r.text AS requirement_text,
       m.competency_id, c.subdomain_id, c.domain_id, m.score, m.evidence,
       m.framework_version, m.matcher_version
FROM matches m
JOIN framework_versions f ON f.version = m.framework_version AND f.is_current
JOIN warehouse_state s ON s.key = 'matcher_version' AND s.value = m.matcher_version
JOIN requirements r ON r.requirement_id = m.requirement_id
JOIN competencies c ON c.framework_version = m.framework_version AND c.competency_id = m.competency_id;

-- One row per (advert, domain) that the advert needs; essential when any matching line is essential.
CREATE VIEW advert_domain_demand AS
SELECT advert_id, domain_id, bool_or(coalesce(level = 'essential', false)) AS essential
FROM current_matches
GROUP BY advert_id, domain_id;

-- Share of informatics adverts (by month posted) that need each domain.
CREATE VIEW domain_demand_monthly AS
WITH informatics AS (
    SELECT advert_id, CAST(date_trunc('month', coalesce(date_posted, CAST(first_seen AS DATE))) AS DATE) AS month
    FROM adverts
    WHERE is_informatics
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

"""Read-side queries shared by the dashboard, the exports and the status command."""
from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd

EXPORT_ADVERT_COLUMNS = [
    "source", "reference", "url", "title", "employer", "town", "postcode", "band", "pay_scheme",
    "salary_min", "salary_max", "salary_period", "contract_type", "working_pattern", "date_posted",
    "closing_date", "first_seen", "last_seen", "status", "is_informatics", "summary", "duties",
    "responsibilities",
]


def domain_demand(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per domain of the current framework: informatics adverts needing it (any level and essential)."""
    return con.execute(
        """
        WITH informatics AS (SELECT advert_id FROM adverts WHERE is_informatics AND duplicate_of IS NULL),
        total AS (SELECT count(*) AS n FROM informatics)
        SELECT d.domain_id, d.title AS domain_title, total.n AS informatics_adverts,
               count(dd.advert_id) AS adverts_needing,
               count(dd.advert_id) FILTER (WHERE dd.essential) AS adverts_needing_essential,
               coalesce(count(dd.advert_id) / nullif(total.n, 0), 0) AS share
        FROM domains d
        JOIN framework_versions f ON f.version = d.framework_version AND f.is_current
        CROSS JOIN total
        LEFT JOIN advert_domain_demand dd
               ON dd.domain_id = d.domain_id AND dd.advert_id IN (SELECT advert_id FROM informatics)
        GROUP BY d.domain_id, d.title, total.n
        ORDER BY CAST(d.domain_id AS INTEGER)
        """
    ).df()


def monthly_domain_demand(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM domain_demand_monthly ORDER BY month, CAST(domain_id AS INTEGER)"
    ).df()


def headline_figures(con: duckdb.DuckDBPyConnection) -> dict:
    adverts, informatics, employers, first, last = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE is_informatics AND duplicate_of IS NULL), count(DISTINCT employer),
               min(date_posted), max(date_posted)
        FROM adverts
        """
    ).fetchone()
    last_run = con.execute(
        "SELECT finished_at, status FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    return {
        "adverts": adverts, "informatics_adverts": informatics, "employers": employers,
        "first_posted": first, "last_posted": last,
        "last_refresh": last_run[0] if last_run else None, "last_refresh_status": last_run[1] if last_run else None,
    }


def export_adverts(con: duckdb.DuckDBPyConnection) -> Iterator[dict]:
    """Every advert as a dict of the export contract, requirements included, oldest first."""
    columns = ", ".join(f"a.{c}" for c in EXPORT_ADVERT_COLUMNS)
    cursor = con.execute(
        f"""
        SELECT {columns},
               coalesce(list({{'category': r.category, 'level': r.level, 'text': r.text}} ORDER BY r.position)
                        FILTER (WHERE r.section = 'person_specification'), []) AS requirements
        FROM adverts a LEFT JOIN requirements r USING (advert_id)
        WHERE NOT coalesce(a.internal_only, false)
        GROUP BY ALL
        ORDER BY a.date_posted NULLS LAST, a.source, a.reference
        """
    )
    names = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(500):
        for row in rows:
            yield dict(zip(names, row))

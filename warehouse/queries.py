"""Read-side queries for the exports and the status command (the dashboard's are in warehouse.demand)."""
from __future__ import annotations

from collections.abc import Iterator

import duckdb

EXPORT_ADVERT_COLUMNS = [
    "source", "reference", "url", "title", "employer", "town", "postcode", "band", "pay_scheme",
    "salary_min", "salary_max", "salary_period", "contract_type", "working_pattern", "date_posted",
    "closing_date", "first_seen", "last_seen", "status", "is_informatics", "summary", "duties",
    "responsibilities", "salary_text",
]


def headline_figures(con: duckdb.DuckDBPyConnection) -> dict:
    adverts, informatics, employers, first, last, last_seen = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE is_informatics AND duplicate_of IS NULL), count(DISTINCT employer),
               min(date_posted), max(date_posted), max(last_seen)
        FROM adverts
        """
    ).fetchone()
    last_run = con.execute(
        "SELECT finished_at, status FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    return {
        "adverts": adverts, "informatics_adverts": informatics, "employers": employers,
        "first_posted": first, "last_posted": last, "last_seen": last_seen,
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


def write_parquet(con: duckdb.DuckDBPyConnection, frame, path) -> int:
    """A data frame as a Parquet file, written by DuckDB (no pyarrow needed, no SQL built from the path)."""
    con.from_df(frame).write_parquet(str(path))
    return len(frame)

"""Crawl runs: every crawl leaves one row saying what it did, whether it worked or not."""
from __future__ import annotations

import json
from datetime import datetime

import duckdb

RUN_COUNTERS = [
    "requests", "responses_ok", "responses_error", "adverts_seen", "adverts_new", "adverts_updated",
    "adverts_unchanged", "adverts_closed", "parse_errors", "adverts_skipped", "adverts_withdrawn",
    "adverts_duplicate", "discovery_errors", "links_unreadable", "adverts_reopened",
    "pages_failed",
]


def register_source(con: duckdb.DuckDBPyConnection, source: str, name: str, base_url: str | None,
                    attribution: str | None = None) -> None:
    con.execute(
        """
        INSERT INTO sources VALUES (?, ?, ?, ?)
        ON CONFLICT (source) DO UPDATE SET name = excluded.name, base_url = excluded.base_url,
            attribution = excluded.attribution
        """,
        [source, name, base_url, attribution],
    )


def start_run(con: duckdb.DuckDBPyConnection, source: str, started_at: datetime | None = None) -> int:
    return con.execute(
        "INSERT INTO crawl_runs (source, started_at, status) VALUES (?, ?, 'running') RETURNING run_id",
        [source, started_at or datetime.now()],
    ).fetchone()[0]


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, status: str, counts: dict[str, int],
               message: str | None = None, responses_by_status: dict[str, int] | None = None) -> None:
    assignments = ", ".join(f"{name} = ?" for name in RUN_COUNTERS)
    finished = datetime.now()
    con.execute(
        f"""UPDATE crawl_runs SET finished_at = ?, status = ?, message = ?, responses_by_status = ?,
                   duration_seconds = epoch(CAST(? AS TIMESTAMP) - started_at), {assignments}
            WHERE run_id = ?""",
        [finished, status, message, json.dumps(responses_by_status or {}, sort_keys=True), finished,
         *(int(counts.get(name, 0)) for name in RUN_COUNTERS), run_id],
    )


def record_listing_counts(con: duckdb.DuckDBPyConnection, run_id: int, counts: dict[str, int]) -> None:
    con.execute("UPDATE crawl_runs SET listing_counts = ? WHERE run_id = ?",
                [json.dumps(counts, sort_keys=True), run_id])


def previous_listing_counts(con: duckdb.DuckDBPyConnection, source: str, before_run: int) -> dict[str, int]:
    """What each query listed in the last finished run of ``source`` that recorded it ({} when none did)."""
    row = con.execute(
        """SELECT listing_counts FROM crawl_runs WHERE source = ? AND run_id < ? AND status = 'succeeded'
           AND listing_counts IS NOT NULL ORDER BY run_id DESC LIMIT 1""", [source, before_run]).fetchone()
    return json.loads(row[0]) if row else {}


def shrunk_listings(previous: dict[str, int], current: dict[str, int], max_drop: float,
                    min_adverts: int) -> list[str]:
    """The queries whose listing fell by more than ``max_drop`` of what the last run listed, as sentences."""
    return [f"the search '{query}' listed {current.get(query, 0)} adverts, {before} last time"
            for query, before in sorted(previous.items())
            if before >= min_adverts and current.get(query, 0) < before * (1 - max_drop)]


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """Runs of ``source`` still 'running' were killed before they finished: say so."""
    return con.execute(
        """UPDATE crawl_runs SET status = 'interrupted', message = 'the process stopped before the run finished'
           WHERE source = ? AND status = 'running'""",
        [source],
    ).fetchone()[0]


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict]:
    cursor = con.execute("SELECT * FROM crawl_runs ORDER BY run_id DESC LIMIT ?", [limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def start_refresh(con: duckdb.DuckDBPyConnection, started_at: datetime, sources: list[str], log_file: str) -> int:
    con.execute("UPDATE refresh_runs SET status = 'interrupted' WHERE status = 'running'")
    return con.execute(
        "INSERT INTO refresh_runs (started_at, status, sources, log_file) VALUES (?, 'running', ?, ?) "
        "RETURNING refresh_id", [started_at, ",".join(sources), log_file],
    ).fetchone()[0]


def finish_refresh(con: duckdb.DuckDBPyConnection, refresh_id: int, started_at: datetime, status: str,
                   published: bool, message: str | None) -> None:
    """Close the refresh's row, with the totals of the crawl runs it started."""
    con.execute(
        """
        UPDATE refresh_runs SET finished_at = ?, status = ?, published = ?, message = ?,
            crawl_run_ids = runs.ids, adverts_new = runs.new, adverts_updated = runs.updated,
            adverts_closed = runs.closed
        FROM (SELECT string_agg(CAST(run_id AS VARCHAR), ',' ORDER BY run_id) AS ids,
                     coalesce(sum(adverts_new), 0) AS new, coalesce(sum(adverts_updated), 0) AS updated,
                     coalesce(sum(adverts_closed), 0) AS closed
              FROM crawl_runs WHERE started_at >= ?) AS runs
        WHERE refresh_id = ?
        """,
        [datetime.now(), status, published, message, started_at, refresh_id],
    )


def recent_refreshes(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[dict]:
    cursor = con.execute("SELECT * FROM refresh_runs ORDER BY refresh_id DESC LIMIT ?", [limit])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]

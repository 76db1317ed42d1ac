"""Crawl runs: every crawl leaves one row saying what it did, whether it worked or not."""
from __future__ import annotations

import json
from datetime import datetime

import duckdb

RUN_COUNTERS = [
    "requests", "responses_ok", "responses_error", "adverts_seen", "adverts_new", "adverts_updated",
    "adverts_unchanged", "adverts_closed", "parse_errors", "adverts_skipped", "adverts_withdrawn",
    "adverts_duplicate",
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

"""The ledger of crawl batches merged by `cijobs load`: which are in, which were refused and why.

A batch is loaded in one transaction with its ledger row (``joined``), so it is either wholly in and recorded,
or not at all; the ledger is what makes loading it a second time add nothing.
"""
from __future__ import annotations

from datetime import datetime

import duckdb

_TRANSACTION_STATEMENTS = {"BEGIN TRANSACTION", "COMMIT", "ROLLBACK"}  # what warehouse.transaction() runs


class _Joined:
    """A connection whose own transactions join the one already open on it.

    ``load_adverts`` and ``archive_pages`` each open a transaction (warehouse.transaction); a batch's load must
    be one transaction with its run and its ledger row, and DuckDB has no nested transactions or savepoints.
    Through this wrapper their BEGIN, COMMIT and ROLLBACK are left to the outer transaction: an error inside
    still propagates, and the outer transaction rolls everything back."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def execute(self, sql, *args, **kwargs):
        if isinstance(sql, str) and sql.strip().upper() in _TRANSACTION_STATEMENTS:
            # Like the statement would, end any result still open on the connection (DuckDB refuses a
            # register() beside one), but leave the transaction to the caller.
            self._con.execute("SELECT 1").fetchall()
            return self._con
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


def joined(con: duckdb.DuckDBPyConnection) -> _Joined:
    """``con`` for use inside ``warehouse.transaction(con)`` by functions that open a transaction of their own."""
    return _Joined(con)


def is_loaded(con, batch_id: str) -> bool:
    return con.execute("SELECT count(*) FROM loaded_batches WHERE batch_id = ?", [batch_id]).fetchone()[0] > 0


def record_loaded(con, *, batch_id: str, name: str, source: str, run_id: int, crawled_at: datetime, adverts: int,
                  pages: int, size: int, seconds: float) -> None:
    con.execute("INSERT INTO loaded_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [batch_id, name, source, run_id, crawled_at, datetime.now(), adverts, pages, size, seconds])


def record_rejected(con, name: str, reason: str) -> None:
    con.execute("INSERT INTO rejected_batches VALUES (?, ?, ?)", [name, datetime.now(), reason])


def set_run_finished(con, run_id: int, finished_at: datetime) -> None:
    """A batch's run finished when its crawl did, not when it was loaded."""
    con.execute("""UPDATE crawl_runs SET finished_at = CAST(? AS TIMESTAMP),
                          duration_seconds = epoch(CAST(? AS TIMESTAMP) - started_at) WHERE run_id = ?""",
                [finished_at, finished_at, run_id])


def batch_summary(con) -> dict:
    """What `cijobs status` says of batches: how many loaded and rejected, the last of each."""
    loaded, last_loaded = con.execute("SELECT count(*), max(loaded_at) FROM loaded_batches").fetchone()
    rejected = con.execute("SELECT count(*) FROM rejected_batches").fetchone()[0]
    last_rejected = con.execute(
        "SELECT name, rejected_at, reason FROM rejected_batches ORDER BY rejected_at DESC LIMIT 1").fetchone()
    return {"loaded": loaded, "last_loaded": last_loaded, "rejected": rejected, "last_rejected": last_rejected}

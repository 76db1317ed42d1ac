"""The dashboard's only way to the warehouse: read-only, parameterised, cached on the data version.

An LRU cache whose key includes the warehouse file's identity and modification time: every worker
process answers alike, and a finished refresh shows on the next request without a restart. A query
the cache misses runs on a connection held open for the published snapshot (one per worker process,
a cursor per query), so a new filter combination does not pay for opening the database; a new
snapshot (renamed into place by a publish) is a new version and gets a new connection. The
warehouse itself (before anything is published) is opened per query instead, so that the dashboard
never keeps a writer out. Only functions named in ``QUERIES`` can be called.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

import warehouse
from warehouse import demand

QUERIES = {
    **{name: getattr(demand, name)
       for name in ("headline", "domain_demand", "domain_demand_over_time", "subdomain_demand", "competency_demand",
                    "employers", "domains", "filter_options", "advert_page", "advert_choices",
                    "advert_requirements", "informatics_titles", "runs_overview",
                    "sources_overview", "framework_overview", "pay_by", "peer_demand", "domain_demand_by_region",
                    "data_version", "year_on_year", "advert_detail", "top_values")},
    "current_framework": warehouse.load_current_framework,
}
RETRIES_WHILE_LOCKED = 20


def data_version(db: Path) -> tuple[int, int]:
    """Changes whenever a new snapshot is published (a new file is renamed into place) or the file is written."""
    try:
        stat = db.stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_ino, stat.st_mtime_ns)


def _connect(db: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection; while a refresh holds the write lock, wait briefly and retry."""
    import time

    for attempt in range(RETRIES_WHILE_LOCKED):
        try:
            return warehouse.open_read_only(db)
        except warehouse.WarehouseError as exc:
            if "in use" not in str(exc) or attempt == RETRIES_WHILE_LOCKED - 1:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


_SNAPSHOTS: dict[str, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}
_SNAPSHOTS_LOCK = threading.Lock()


def _snapshot_cursor(db: str, version: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    """A cursor on the connection held open for this version of the published snapshot."""
    with _SNAPSHOTS_LOCK:
        held = _SNAPSHOTS.get(db)
        if held is None or held[0] != version:
            if held is not None:
                held[1].close()
            _SNAPSHOTS[db] = (version, _connect(db))
        return _SNAPSHOTS[db][1].cursor()


@lru_cache(maxsize=256)
def _cached(name: str, db: str, version: tuple[int, int], args: tuple, kwargs: tuple):
    published = Path(db).stem.endswith(".published")  # warehouse.published_path
    con = _snapshot_cursor(db, version) if published else _connect(db)
    try:
        return QUERIES[name](con, *args, **dict(kwargs))
    finally:
        con.close()


def query(name: str, db: Path, *args, **kwargs):
    """``warehouse.demand.<name>(con, *args, **kwargs)`` for the warehouse's current contents (a copy)."""
    db = warehouse.readable_path(db)
    result = _cached(name, str(db), data_version(db), args, tuple(sorted(kwargs.items())))
    if isinstance(result, pd.DataFrame):
        return result.copy()
    if isinstance(result, tuple):
        return tuple(r.copy() if isinstance(r, pd.DataFrame) else r for r in result)
    return result

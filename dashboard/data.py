"""The dashboard's only way to the warehouse: read-only, parameterised, cached on the data version.

No module-level mutable state but an LRU cache whose key includes the warehouse file's
modification time: every worker process answers alike, and a finished refresh shows on the
next request without a restart. Only functions named in ``QUERIES`` can be called.
"""
from __future__ import annotations

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


@lru_cache(maxsize=256)
def _cached(name: str, db: str, version: tuple[int, int], args: tuple, kwargs: tuple):
    con = _connect(db)
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

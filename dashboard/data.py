"""The dashboard's only way to the warehouse: read-only, parameterised, cached on the data version.

No module-level mutable state: each query opens a short read-only connection, and the cache
key includes the warehouse file's modification time, so every worker process answers alike
and a finished crawl shows without a restart.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

import warehouse
from warehouse import queries


def data_version(db: Path) -> float:
    try:
        return db.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


@lru_cache(maxsize=64)
def _cached(name: str, db: str, version: float):
    con = warehouse.open_read_only(db)
    try:
        return getattr(queries, name)(con)
    finally:
        con.close()


def query(name: str, db: Path):
    """The result of ``warehouse.queries.<name>(con)`` for the warehouse's current contents."""
    result = _cached(name, str(db), data_version(db))
    return result.copy() if isinstance(result, pd.DataFrame) else dict(result)

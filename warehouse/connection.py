"""Opening the warehouse: the one place that turns DuckDB's failures into plain messages."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError
from warehouse.migrations import migrate, newer_schema, pending_migrations
from warehouse.reference_data import refresh_reference_data

DEFAULT_PATH = Path("data/cijobs.duckdb")
DEMO_PATH = Path("data/demo.duckdb")  # where `cijobs demo` (and `make demo`) builds its warehouse


def default_path() -> Path:
    return Path(os.environ.get("CIJOBS_DB") or DEFAULT_PATH)


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise WarehouseError(f"{path}: the warehouse is in use by another cijobs process") from exc
        raise WarehouseError(f"{path}: cannot open the warehouse ({text.splitlines()[0]})") from exc
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise WarehouseError(f"{path}: not a readable DuckDB warehouse ({first_line})") from exc


def _missing(path: Path) -> str:
    if DEMO_PATH.is_file() and path.resolve() != DEMO_PATH.resolve():
        return (f"{path}: no warehouse here; the demo's is {DEMO_PATH}: pass `--db {DEMO_PATH}` (or run "
                "`cijobs refresh` to build this one)")
    return f"{path}: no warehouse here (run `cijobs refresh`, or `cijobs demo` for the offline sample)"


def _refuse_newer_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A warehouse written by a newer cijobs is neither read nor written: its meaning may have changed."""
    try:
        newer = newer_schema(con)
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"{path}: not a cijobs warehouse ({str(exc).splitlines()[0]})") from exc
    if newer:
        con.close()
        raise WarehouseError(f"{path}: written by a newer cijobs (warehouse schema {newer[0]}, this cijobs knows "
                             f"up to {newer[1]}); upgrade cijobs to use it")


def open_warehouse(path: Path | str | None = None, *, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (and create or upgrade) the warehouse for writing."""
    path = Path(path) if path else default_path()
    if not path.exists():
        if not create:
            raise WarehouseError(_missing(path))
        path.parent.mkdir(parents=True, exist_ok=True)
    elif path.is_dir():
        raise WarehouseError(f"{path}: is a directory, not a warehouse file")
    con = _open(path, read_only=False)
    _refuse_newer_schema(con, path)
    try:
        migrate(con)
        refresh_reference_data(con)
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"{path}: cannot upgrade the warehouse schema ({exc})") from exc
    return con


def open_read_only(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open an existing, fully migrated warehouse without the right to change it."""
    path = Path(path) if path else default_path()
    if not path.is_file():
        raise WarehouseError(_missing(path))
    con = _open(path, read_only=True)
    _refuse_newer_schema(con, path)
    try:
        pending = pending_migrations(con)
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"{path}: not a cijobs warehouse ({exc})") from exc
    if pending:
        con.close()
        raise WarehouseError(
            f"{path}: the warehouse schema is older than this cijobs ({', '.join(pending)} pending); "
            "open it once for writing, e.g. `cijobs status`, to upgrade it"
        )
    return con


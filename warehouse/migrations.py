"""Versioned schema migrations, recorded in the database they were applied to.

Each ``migrations/NNN_name.sql`` file runs once, inside a transaction, in number order;
``schema_migrations`` remembers which have run, so opening an older file upgrades it in place.
"""
from __future__ import annotations

import re
from datetime import datetime
from importlib import resources

import duckdb

from warehouse.transactions import transaction

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every bundled migration, oldest first."""
    folder = resources.files("warehouse") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every pending migration; return the names of those applied."""
    done = applied_versions(con)
    applied = []
    for version, name, sql in available_migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, datetime.now()])
        applied.append(name)
    return applied


def newer_schema(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """(the warehouse's schema version, this code's) when a newer cijobs wrote the warehouse, else None."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_migrations" not in tables:
        return None
    stored = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    known = max(version for version, _, _ in available_migrations())
    return (stored, known) if stored is not None and stored > known else None


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_migrations" not in tables:
        return [name for _, name, _ in available_migrations()]
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    return [name for version, name, _ in available_migrations() if version not in done]

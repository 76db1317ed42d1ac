"""Publishing: the dashboard reads a snapshot of the warehouse that is swapped in atomically.

Writers (crawl, match, reparse, import) work on the warehouse file; when one succeeds it
copies a checkpointed warehouse to ``<name>.published.duckdb`` beside it and renames the copy
into place. A reader never waits for a writer's lock, sees either the old or the new snapshot
whole, and a failed run publishes nothing, so the dashboard keeps showing the last good data.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from warehouse.connection import open_warehouse


def published_path(db: Path | str) -> Path:
    db = Path(db)
    return db.with_name(f"{db.stem}.published{db.suffix or '.duckdb'}")


def readable_path(db: Path | str) -> Path:
    """What a reader should open: the published snapshot when there is one, else the warehouse itself."""
    snapshot = published_path(db)
    return snapshot if snapshot.is_file() else Path(db)


def rebuild_advert_needs(con) -> None:
    """advert x competency needed, from the current matches (what the demand queries group)."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM advert_needs")
        con.execute(
            """INSERT INTO advert_needs
               SELECT advert_id, competency_id, any_value(subdomain_id), any_value(domain_id),
                      bool_or(coalesce(level = 'essential', false)), bool_or(coalesce(level = 'desirable', false)),
                      bool_or(level IS NULL)
               FROM current_matches GROUP BY advert_id, competency_id""")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def publish(db: Path | str) -> Path:
    """Copy the warehouse to its published snapshot, atomically; returns the snapshot's path."""
    db = Path(db)
    snapshot = published_path(db)
    staging = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.tmp")
    con = open_warehouse(db, create=False)  # holding it open keeps other writers out while copying
    try:
        rebuild_advert_needs(con)
        con.execute("CHECKPOINT")
        shutil.copyfile(db, staging)
    finally:
        con.close()
    os.replace(staging, snapshot)
    return snapshot

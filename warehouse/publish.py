"""Publishing: the dashboard reads a snapshot of the warehouse that is swapped in atomically.

Writers (crawl, match, reparse, import) work on the warehouse file; when one succeeds it
copies a checkpointed warehouse to ``<name>.published.duckdb`` beside it and renames the copy
into place. A reader never waits for a writer's lock, sees either the old or the new snapshot
whole, and a failed run publishes nothing, so the dashboard keeps showing the last good data.

On a file system that shares blocks between files (Linux XFS with reflink, btrfs, bcachefs) the copy is a clone:
it takes milliseconds whatever the warehouse's size and stores only the blocks that change afterwards. Elsewhere
(ext4, tmpfs, another device) it is a byte copy, which grows with the file.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from warehouse import demand_facts
from warehouse.connection import open_warehouse

STALE_COPY_SECONDS = 3600  # a publishing copy idle this long is a dead writer's, whatever its pid says
FICLONE = 0x40049409  # Linux ioctl: make the destination share the source's blocks (``cp --reflink``)

logger = logging.getLogger(__name__)


def published_path(db: Path | str) -> Path:
    db = Path(db)
    return db.with_name(f"{db.stem}.published{db.suffix or '.duckdb'}")


def readable_path(db: Path | str) -> Path:
    """What a reader should open: the published snapshot when there is one, else the warehouse itself."""
    snapshot = published_path(db)
    return snapshot if snapshot.is_file() else Path(db)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_copies(db: Path | str) -> list[Path]:
    """Delete the half-written snapshot copies (``.<snapshot>.<pid>.tmp``) of writers that died while publishing;
    returns what was removed. Called under the writer lock: a copy whose writer still runs is left alone, unless
    it has not been written to for an hour (its pid then belongs to another process)."""
    snapshot = published_path(db)
    removed = []
    for staging in snapshot.parent.glob(f".{snapshot.name}.*.tmp"):
        pid = staging.name.removeprefix(f".{snapshot.name}.").removesuffix(".tmp")
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            idle = time.time() - staging.stat().st_mtime
        except FileNotFoundError:
            continue
        if not _alive(int(pid)) or idle > STALE_COPY_SECONDS:
            staging.unlink(missing_ok=True)
            removed.append(staging)
    return removed


def clone_or_copy(source: Path, target: Path) -> str:
    """Make ``target`` a copy of ``source``: a block-sharing clone where the file system can make one, else a byte
    copy. Returns "cloned" or "copied"."""
    if sys.platform.startswith("linux"):  # the ioctl's number means something else elsewhere
        with open(source, "rb") as src, open(target, "wb") as dst:
            try:
                fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
                return "cloned"
            except OSError:  # not supported here (EOPNOTSUPP, EXDEV, EINVAL, ENOTTY): copy the bytes
                pass
    shutil.copyfile(source, target)
    return "copied"


def publish(db: Path | str) -> Path:
    """Copy the warehouse to its published snapshot, atomically; returns the snapshot's path."""
    db = Path(db)
    snapshot = published_path(db)
    staging = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.tmp")
    con = open_warehouse(db, create=False)  # holding it open keeps other writers out while copying
    try:
        demand_facts.rebuild(con)
        con.execute("CHECKPOINT")
        started = time.monotonic()
        how = clone_or_copy(db, staging)
    finally:
        con.close()
    os.replace(staging, snapshot)
    logger.info("snapshot %s from %s (%.1f MB) in %.2f s", how, db, snapshot.stat().st_size / 1e6,
                time.monotonic() - started)
    return snapshot

"""One lock for every writer of a warehouse: crawl, import, match, reparse, framework import and refresh.

An exclusive ``flock`` on a file beside the warehouse. The kernel drops it when every process holding it
has died, so a crash never leaves it stuck; the file only tells who holds it. A refresh passes its lock to
the crawls it starts (the open file is inherited, and an environment variable says so), so a child holds
the lock for as long as it runs: a refresh killed with -9 cannot let a second writer in beside its still
running crawl. The children are also asked to die with their parent (``PR_SET_PDEATHSIG``).
"""
from __future__ import annotations

import ctypes
import fcntl
import logging
import os
import signal
from datetime import datetime
from pathlib import Path

from cijobs.errors import UserError

logger = logging.getLogger("cijobs.lock")
INHERITED_LOCK = "CIJOBS_WRITER_LOCK"  # the lock file a parent holds for this process
PR_SET_PDEATHSIG = 1


class WriterLock:
    def __init__(self, db: Path, what: str):
        self.path = Path(db).resolve().with_name(f"{Path(db).name}.writer.lock")
        self.what = what
        self._handle = None

    @property
    def inherited(self) -> bool:
        return os.environ.get(INHERITED_LOCK) == str(self.path)

    def __enter__(self) -> WriterLock:
        if self.inherited:  # the parent's lock, held through the open file it passed down
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            reason = "a file is in the way of that folder" if isinstance(exc, FileExistsError) else exc.strerror
            raise UserError(f"{self.path.parent}: cannot write the warehouse here ({reason}); "
                            f"{self.what} not started") from None
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.seek(0)
            holder = self._handle.read().strip() or "another process"
            self._handle.close()
            self._handle = None
            raise UserError(f"another cijobs process is writing {self.path.name.removesuffix('.writer.lock')} "
                            f"({holder}); {self.what} not started") from None
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(f"pid {os.getpid()} ({self.what}) since {datetime.now():%Y-%m-%d %H:%M:%S}\n")
        self._handle.flush()
        self._remove_stale_copies()
        return self

    def _remove_stale_copies(self) -> None:
        """A writer killed while publishing left its half-written copy of the warehouse: the next writer removes it."""
        from warehouse.publish import remove_stale_copies

        db = self.path.with_name(self.path.name.removesuffix(".writer.lock"))
        for staging in remove_stale_copies(db):
            logger.warning("removed %s, left by a writer that stopped while publishing", staging.name)

    def __exit__(self, *exc) -> None:
        if self._handle is None:
            return
        self._handle.truncate(0)
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    def child_options(self) -> dict:
        """subprocess options for a child that works under this lock and dies with this process."""
        if self._handle is None:
            return {"preexec_fn": die_with_parent}
        return {"pass_fds": (self._handle.fileno(),), "env": {**os.environ, INHERITED_LOCK: str(self.path)},
                "preexec_fn": die_with_parent}


def die_with_parent() -> None:
    """In a child before exec: be sent SIGTERM when the parent dies (Linux; elsewhere nothing)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass

"""`cijobs load`: merge the crawl batches waiting in the shared batch folder into the warehouse, each once.

The caller holds the writer lock. Batches load in name order (the order their crawls finished), each in one
transaction with its crawl run and its ledger row (warehouse/batch_ledger.py), then move to ``loaded/``. A batch
the ledger already holds adds nothing (a loader stopped between its commit and the move, or a copy put back) and
is moved on. A batch that is not one, is damaged, or whose records the warehouse refuses is rolled back whole,
recorded with the reason, logged, and moved to ``rejected/`` with the reason written beside it.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

import warehouse
from crawler.batches import LOADED, REJECTED, BatchError, open_batch, pending_batches, write_known_listings
from crawler.recording import record_crawl
from warehouse import batch_ledger

logger = logging.getLogger("cijobs.load")
# What a batch's content can make the load raise: the batch is refused, the warehouse is as it was. Anything
# else (a full disk, a lost lock) stops the load with the batch left where it is.
REFUSED = (BatchError, KeyError, TypeError, ValueError, duckdb.ConversionException, duckdb.InvalidInputException,
           duckdb.ConstraintException)


@dataclass
class BatchLoad:
    name: str
    status: str  # succeeded | failed (a crawl that failed: its pages archived) | already loaded | rejected
    message: str | None = None
    source: str | None = None
    adverts: int = 0
    pages: int = 0
    size: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        if self.status in ("already loaded", "rejected"):
            return f"batch {self.name}: {self.status}" + (f" - {self.message}" if self.message else "")
        c = self.counts
        return (f"batch {self.name}: {self.source} {self.status}, loaded in {self.seconds:.2f}s - "
                f"{self.adverts} adverts, {self.pages} pages, {self.size / 1e6:.2f} MB; new {c.get('adverts_new', 0)}, "
                f"updated {c.get('adverts_updated', 0)}, unchanged {c.get('adverts_unchanged', 0)}, "
                f"closed {c.get('adverts_closed', 0)}, parse errors {c.get('parse_errors', 0)}"
                + (f" - {self.message}" if self.message else ""))


@dataclass
class LoadReport:
    batch_dir: Path
    batches: list[BatchLoad] = field(default_factory=list)
    still_writing: list[str] = field(default_factory=list)  # batches a job is writing now (or died writing)
    seconds: float = 0.0

    def _with(self, *statuses: str) -> list[BatchLoad]:
        return [batch for batch in self.batches if batch.status in statuses]

    @property
    def ok(self) -> bool:
        """Every batch loaded (or was already) and every crawl in them succeeded."""
        return not self._with("rejected", "failed")

    def problem(self) -> str | None:
        rejected, failed = self._with("rejected"), self._with("failed")
        if rejected:
            return (f"{len(rejected)} batch(es) rejected, moved to {self.batch_dir / REJECTED} (first: "
                    f"{rejected[0].name}: {rejected[0].message})")
        if failed:
            return f"{len(failed)} crawl(s) failed (first: {failed[0].source}: {failed[0].message})"
        return None

    def lines(self) -> list[str]:
        lines = [batch.line() for batch in self.batches]
        if self.still_writing:
            lines.append(f"{len(self.still_writing)} batch(es) still being written, left for the next load: "
                         f"{', '.join(self.still_writing)}")
        loaded = self._with("succeeded", "failed")
        lines.append(f"loaded {len(loaded)} batch(es) from {self.batch_dir} in {self.seconds:.1f}s "
                     f"({len(self._with('already loaded'))} already loaded, {len(self._with('rejected'))} rejected)")
        return lines


def _move(path: Path, folder: Path) -> Path:
    """Move ``path`` into ``folder`` under a name not taken yet there."""
    folder.mkdir(exist_ok=True)
    target, number = folder / path.name, 1
    while target.exists():
        target, number = folder / f"{path.name}.{number}", number + 1
    os.rename(path, target)
    return target


def _reject(con, path: Path, reason: str) -> BatchLoad:
    reason = " ".join(reason.split())  # one line, whatever the error said
    logger.error("batch %s rejected: %s", path.name, reason)
    with warehouse.transaction(con):
        batch_ledger.record_rejected(con, path.name, reason)
    target = _move(path, path.parent / REJECTED)
    target.with_name(f"{target.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
    return BatchLoad(path.name, "rejected", reason)


def _load_one(con, path: Path) -> BatchLoad:
    started = time.monotonic()
    try:
        batch = open_batch(path)
    except BatchError as exc:
        return _reject(con, path, str(exc))
    if batch_ledger.is_loaded(con, batch.batch_id):
        logger.info("batch %s was loaded before: nothing to add", path.name)
        _move(path, path.parent / LOADED)
        return BatchLoad(path.name, "already loaded", f"batch id {batch.batch_id} is in the ledger")
    outcome = batch.outcome
    try:
        with warehouse.transaction(con):
            inner = batch_ledger.joined(con)  # load_adverts' own transaction joins this one
            warehouse.register_source(inner, outcome.source, outcome.source_name, outcome.base_url,
                                      outcome.attribution)
            run_id = warehouse.start_run(inner, outcome.source, outcome.started_at)
            recorded = record_crawl(inner, run_id, outcome, batch.records)
            batch_ledger.set_run_finished(inner, run_id, outcome.finished_at)
            seconds = time.monotonic() - started
            batch_ledger.record_loaded(inner, batch_id=batch.batch_id, name=batch.name, source=outcome.source,
                                       run_id=run_id, crawled_at=outcome.finished_at,
                                       adverts=batch.count("adverts"), pages=batch.count("pages"), size=batch.bytes,
                                       seconds=seconds)
    except REFUSED as exc:
        return _reject(con, path, f"{type(exc).__name__}: {exc}")
    _move(path, path.parent / LOADED)
    result = BatchLoad(batch.name, recorded.status, recorded.message, outcome.source, batch.count("adverts"),
                       batch.count("pages"), batch.bytes, time.monotonic() - started, recorded.counts)
    (logger.error if recorded.status == "failed" else logger.info)(result.line())
    return result


def load_batches(db: Path, batch_dir: Path) -> LoadReport:
    """Load every batch waiting in ``batch_dir`` into the warehouse at ``db`` (the caller holds the writer lock),
    then leave the loaded sources' listing fingerprints there for the next jobs."""
    started = time.monotonic()
    batch_dir = Path(batch_dir)
    if not batch_dir.is_dir():
        raise BatchError(f"{batch_dir}: no batch folder here")
    waiting, partial = pending_batches(batch_dir)
    report = LoadReport(batch_dir, still_writing=[path.name for path in partial])
    for path in partial:
        logger.warning("batch %s is still being written (or its job died writing it): left alone", path.name)
    con = warehouse.open_warehouse(db)
    try:
        for path in waiting:
            report.batches.append(_load_one(con, path))
        share_known_listings(con, batch_dir, {batch.source for batch in report.batches if batch.source})
    finally:
        con.close()
    report.seconds = time.monotonic() - started
    return report


def share_known_listings(con, batch_dir: Path, sources) -> None:
    """What the warehouse holds of each source's listings, for its next jobs: an advert whose listing has not
    changed is not fetched again (as a crawl that opens the warehouse itself does)."""
    for source in sorted(sources):
        write_known_listings(batch_dir, source, warehouse.known_listings(con, source))

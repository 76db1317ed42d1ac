"""`cijobs refresh`: crawl every enabled source, match, close, publish; one at a time, all or nothing.

Each source is crawled in a child process (Scrapy's reactor runs once per process, and a
scheduler calls refresh many times), so its own crawl_runs row and JOBDIR resume work as for
`cijobs crawl`. With ``[scrapyd] urls`` in cijobs.toml the sources run as scrapyd jobs instead, whose batches
are then loaded (cijobs/scrapyd_dispatch.py, cijobs/loading.py). Only when every step succeeded is the warehouse
published for the dashboard; a failed or killed refresh leaves the published snapshot as it was.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import warehouse
from cijobs.config import Config
from cijobs.errors import UserError
from cijobs.locking import WriterLock
from cijobs.matching_job import match_warehouse

logger = logging.getLogger("cijobs.refresh")


@dataclass
class RefreshResult:
    status: str
    log_file: Path
    seconds: float
    lines: list[str] = field(default_factory=list)
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


def _log_to(log_file: Path) -> logging.Handler:
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{log_file.parent}: cannot write the refresh log here ({exc.strerror})") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    return handler


def _crawl(source, db: Path, log_file: Path, lock: WriterLock, figures) -> tuple[bool, str]:
    """Run `cijobs crawl` for one source in a child process that holds the refresh's lock and dies with it;
    its full output goes to the run's log."""
    command = [sys.executable, "-m", "cijobs.cli", "crawl", *source.crawl_arguments(figures), "--db", str(db),
               "--no-publish"]
    logger.info("crawling %s: %s", source.name, " ".join(command[3:]))
    with open(log_file, "a", encoding="utf-8") as log:
        log.flush()
        child = subprocess.run(command, stdout=subprocess.PIPE, stderr=log, text=True, **lock.child_options())
        log.write(child.stdout)
    summary = child.stdout.strip().splitlines()[-1] if child.stdout.strip() else f"{source.name}: no summary"
    if child.returncode != 0:
        errors = [line for line in log_file.read_text(encoding="utf-8").splitlines() if "error:" in line]
        return False, errors[-1] if errors else summary
    return True, summary


def refresh(config: Config) -> RefreshResult:
    """One refresh of every enabled source. Raises UserError when another refresh holds the lock."""
    db = config.warehouse
    started = time.monotonic()
    with WriterLock(db, "refresh") as lock:
        log_file = config.logs / f"refresh-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
        handler = _log_to(log_file)
        try:
            return _refresh_locked(config, db, log_file, started, lock)
        finally:
            logging.getLogger().removeHandler(handler)
            handler.close()


def _crawl_each(config: Config, db: Path, log_file: Path, lock: WriterLock, result: RefreshResult) -> bool:
    """Crawl the enabled sources one after another, each loading itself; False at the first that fails."""
    for source in config.enabled_sources:
        ok, line = _crawl(source, db, log_file, lock, config.figures)
        result.lines.append(line)
        logger.info(line)
        if not ok:
            result.message = line.split("error: ", 1)[-1]
            return False
    return True


def _dispatch_and_load(config: Config, db: Path, result: RefreshResult) -> bool:
    """Run the enabled sources as scrapyd jobs, then load their batches; False (with the reason) when a job or a
    batch failed. The warehouse's listing fingerprints go to the batch folder first, so the jobs skip adverts
    whose listing has not changed."""
    from cijobs.loading import load_batches, share_known_listings
    from cijobs.scrapyd_dispatch import run_jobs

    section = config.scrapyd
    con = warehouse.open_warehouse(db)
    try:
        Path(section.batch_dir).mkdir(parents=True, exist_ok=True)
        share_known_listings(con, Path(section.batch_dir), {source.name for source in config.enabled_sources})
    finally:
        con.close()
    try:
        run_jobs(section, config.enabled_sources, config.figures)
    except UserError as exc:  # a daemon, a job or a source that cannot be a job: one line, nothing loaded
        result.message = str(exc)
        logger.error(result.message)
        return False
    report = load_batches(db, Path(section.batch_dir))
    for line in report.lines():
        result.lines.append(line)
        logger.info(line)
    result.message = report.problem()
    return report.ok


def match_and_publish(db: Path) -> str:
    """Match new requirement lines, then publish the warehouse for the dashboard; the matching summary."""
    matched = match_warehouse(db)
    logger.info(matched.summary())
    warehouse.publish(db)
    return matched.summary()


def _refresh_locked(config: Config, db: Path, log_file: Path, started: float, lock: WriterLock) -> RefreshResult:
    sources = config.enabled_sources
    if not sources:
        raise UserError(f"{config.path}: no source is enabled")
    begun = datetime.now()
    con = warehouse.open_warehouse(db)
    try:
        refresh_id = warehouse.start_refresh(con, begun, [s.name for s in sources], str(log_file))
    finally:
        con.close()
    result = RefreshResult("failed", log_file, 0.0)
    try:
        crawled = (_dispatch_and_load(config, db, result) if config.dispatches
                   else _crawl_each(config, db, log_file, lock, result))
        if crawled:
            result.lines.append(match_and_publish(db))
            result.status = "succeeded"
    except Exception as exc:  # recorded in refresh_runs and the log, then re-raised for the caller
        result.message = f"{type(exc).__name__}: {exc}"
        logger.exception("refresh failed")
        raise
    finally:
        result.seconds = time.monotonic() - started
        con = warehouse.open_warehouse(db)
        try:
            warehouse.finish_refresh(con, refresh_id, begun, result.status, result.status == "succeeded",
                                     result.message)
        finally:
            con.close()
        logger.info("refresh %s in %.1fs (log %s)", result.status, result.seconds, log_file)
    return result

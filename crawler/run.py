"""Running a spider from Python (the `cijobs crawl` command) and reporting what it did."""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.politeness import delay_settings
from crawler.sources import SOURCES


@dataclass
class CrawlResult:
    source: str
    status: str
    message: str | None
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"

    def summary(self) -> str:
        c = self.counts
        line = (
            f"{self.source}: {self.status} in {self.seconds:.1f}s - requests {c.get('requests', 0)}, "
            f"adverts seen {c.get('adverts_seen', 0)} (new {c.get('adverts_new', 0)}, "
            f"updated {c.get('adverts_updated', 0)}, unchanged {c.get('adverts_unchanged', 0)}, "
            f"closed {c.get('adverts_closed', 0)}, reopened {c.get('adverts_reopened', 0)}, "
            f"not re-fetched {c.get('adverts_skipped', 0)}, "
            f"withdrawn {c.get('adverts_withdrawn', 0)}, re-posts {c.get('adverts_duplicate', 0)} = "
            f"{c.get('adverts_duplicate', 0) / max(c.get('adverts_new', 0), 1):.0%} of new), "
            f"parse errors {c.get('parse_errors', 0)}, HTTP errors {c.get('responses_error', 0)}, "
            f"advert pages failed {c.get('pages_failed', 0)}, "
            f"discovery errors {c.get('discovery_errors', 0)} (unreadable advert links {c.get('links_unreadable', 0)})"
        )
        return line + (f" - {self.message}" if self.message else "")


def crawl_settings(db_path: Path, delay: float | None = None, log_level: str = "INFO",
                   extra: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("CIJOBS_DB", str(db_path), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for name, value in {**delay_settings(delay), **(extra or {})}.items():
        settings.set(name, value, priority="cmdline")
    return settings


def crawl_jobdir(db_path: Path, source: str, spider_args: dict) -> Path:
    """The crawl's working directory (Scrapy JOBDIR plus our stage) beside the warehouse.

    Named after what is crawled, so that re-running the same crawl after a kill resumes it,
    and a different crawl (another host, other keywords) starts afresh.
    """
    identity = json.dumps([source, str(Path(db_path).resolve()), spider_args], sort_keys=True, default=str)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return Path(db_path).resolve().parent / "crawls" / f"{source}-{digest}"


def run_crawl(source: str, db_path: Path, *, base_url: str | None = None, delay: float | None = None,
              max_pages: int | None = None, keywords: list[str] | None = None, discovery: str = "api",
              refetch: bool = False, start_urls: list[str] | None = None, sitemap: str | None = None,
              log_level: str = "INFO", extra_settings: dict | None = None) -> CrawlResult:
    """Crawl one source into the warehouse at ``db_path``; one call per process (Twisted's reactor)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    started = time.monotonic()
    spider_args = {"discovery": discovery, "max_pages": max_pages}
    if base_url:
        spider_args["base_url"] = base_url
    if keywords:
        spider_args["keywords"] = keywords
    if start_urls:
        spider_args["start_urls"] = start_urls
    if sitemap:
        spider_args["sitemap"] = sitemap
    jobdir = crawl_jobdir(db_path, source, spider_args)
    settings = crawl_settings(db_path, delay, log_level, {"JOBDIR": str(jobdir), **(extra_settings or {})})
    _log_once_at(settings, log_level)
    # Scrapy installs its own SIGINT/SIGTERM handlers for the crawl; they must not outlive it (the demo goes
    # on to serve the dashboard in this process, and Ctrl+C has to stop that).
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(_spider_class(source))
    process.crawl(crawler, refetch=refetch, **spider_args)
    try:
        process.start()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    # The spider closed (it was not killed): its work is in the warehouse, so the JOBDIR goes.
    shutil.rmtree(jobdir, ignore_errors=True)
    stats = crawler.stats.get_stats()
    counts = {key.removeprefix("cijobs/"): value for key, value in stats.items()
              if key.startswith("cijobs/") and isinstance(value, int)}
    status = stats.get("cijobs/status") or "failed"
    message = stats.get("cijobs/message")
    if status == "failed" and message is None:
        message = "the crawl did not finish (see the log above)"
    return CrawlResult(source, status, message, time.monotonic() - started, counts)


def _log_once_at(settings, log_level: str) -> None:
    """Every log line once, at ``log_level`` or above: the command's own handler when it has one (Scrapy's
    root handler beside it printed each line twice), and no DEBUG item dumps with whole pages in them."""
    level = logging.getLevelName(log_level.upper())
    settings.set("LOG_INSTALL_ROOT_HANDLER", not logging.root.handlers, priority="cmdline")
    for handler in logging.root.handlers:
        handler.setLevel(max(handler.level, level))


def _spider_class(source: str):
    module_name, class_name = SOURCES[source].rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)

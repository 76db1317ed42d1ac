"""Running a spider from Python (the `cijobs crawl` command) and reporting what it did."""
from __future__ import annotations

import importlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

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
            f"closed {c.get('adverts_closed', 0)}), parse errors {c.get('parse_errors', 0)}, "
            f"HTTP errors {c.get('responses_error', 0)}"
        )
        return line + (f" - {self.message}" if self.message else "")


def crawl_settings(db_path: Path, delay: float | None = None, log_level: str = "INFO",
                   extra: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("CIJOBS_DB", str(db_path), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if delay is not None:
        settings.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        settings.set("AUTOTHROTTLE_START_DELAY", max(delay, 0.01), priority="cmdline")
        if delay == 0:
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
            settings.set("RANDOMIZE_DOWNLOAD_DELAY", False, priority="cmdline")
    for name, value in (extra or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(source: str, db_path: Path, *, base_url: str | None = None, delay: float | None = None,
              max_pages: int | None = None, keywords: list[str] | None = None, discovery: str = "api",
              log_level: str = "INFO", extra_settings: dict | None = None) -> CrawlResult:
    """Crawl one source into the warehouse at ``db_path``; one call per process (Twisted's reactor)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    started = time.monotonic()
    process = CrawlerProcess(crawl_settings(db_path, delay, log_level, extra_settings), install_root_handler=True)
    crawler = process.create_crawler(_spider_class(source))
    spider_args = {"discovery": discovery, "max_pages": max_pages}
    if base_url:
        spider_args["base_url"] = base_url
    if keywords:
        spider_args["keywords"] = keywords
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats()
    counts = {key.removeprefix("cijobs/"): value for key, value in stats.items()
              if key.startswith("cijobs/") and isinstance(value, int)}
    status = stats.get("cijobs/status") or "failed"
    message = stats.get("cijobs/message")
    if status == "failed" and message is None:
        message = "the crawl did not finish (see the log above)"
    return CrawlResult(source, status, message, time.monotonic() - started, counts)


def _spider_class(source: str):
    module_name, class_name = SOURCES[source].rsplit(".", 1)
    return getattr(importlib.import_module(module_name), class_name)

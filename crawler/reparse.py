"""Re-running the parsers over the raw-page archive: no network, same load path as a crawl."""
from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass

import warehouse
from crawler.enrich import finish_advert
from crawler.parsers.errors import ParseError
from crawler.relevance import THRESHOLD
from crawler.sources import PARSERS
from warehouse.adverts import REPOST_WINDOW_DAYS

logger = logging.getLogger(__name__)


@dataclass
class ReparseResult:
    pages: int
    parsed: int
    errors: int
    counts: warehouse.LoadCounts
    seconds: float

    def summary(self) -> str:
        c = self.counts
        return (f"re-parsed {self.pages} archived pages in {self.seconds:.1f}s: {self.parsed} parsed, "
                f"{self.errors} parse errors; adverts new {c.new}, updated {c.updated}, unchanged {c.unchanged}")


def _parser(source: str):
    module_name, function_name = PARSERS[source].rsplit(".", 1)
    return getattr(importlib.import_module(module_name), function_name)


def reparse_archive(db_path, source: str, *, relevance_threshold: float = THRESHOLD,
                    repost_window_days: int = REPOST_WINDOW_DAYS) -> ReparseResult:
    """Parse the newest archived page of every advert of ``source`` again and load the results (with the
    figures of cijobs.toml's [figures], which ``cijobs reparse`` passes)."""
    if source not in PARSERS:
        raise ValueError(f"no parser for source {source!r}; known: {', '.join(PARSERS)}")
    started = time.monotonic()
    parse = _parser(source)
    con = warehouse.open_warehouse(db_path, create=False)
    try:
        pages = warehouse.latest_raw_pages(con, source)
        adverts, outcomes = [], []
        for page in pages:
            try:
                advert = finish_advert({**parse(page["html"], page["url"]), "source": source}, relevance_threshold)
            except ParseError as exc:
                outcomes.append((page["url"], page["content_hash"], False, str(exc)))
                continue
            existing = page.get("discovery_hash")
            if existing:
                advert["discovery_hash"] = existing
            adverts.append(advert)
            outcomes.append((page["url"], page["content_hash"], True, None))
        counts = (warehouse.load_adverts(con, adverts, repost_window_days=repost_window_days, relink_all=True)
                  if adverts else warehouse.LoadCounts())
        warehouse.record_parse_outcomes(con, outcomes)
    finally:
        con.close()
    errors = sum(not ok for _, _, ok, _ in outcomes)
    result = ReparseResult(len(pages), len(pages) - errors, errors, counts, time.monotonic() - started)
    logger.info(result.summary())
    return result

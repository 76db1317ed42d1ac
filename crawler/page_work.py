"""A page's own work (scrub, parse, extract) done beside the crawl, in a worker process.

The crawl's process runs Scrapy's engine on one core; a page's scrubbing, parsing and requirement extraction cost
as much again, so with CIJOBS_PAGE_WORKERS=1 a worker process does them on the second core while the engine fetches
the next pages (the default, 0, does them in the crawl's process). The worker is a fresh interpreter (spawned, never
forked from the process running the reactor and its threads), a child of the crawl's process that waits for it.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from crawler.enrich import finish_advert
from crawler.parsers.errors import ParseError
from crawler.parsers.jobposting import parse_page
from crawler.parsers.nhsjobs import parse_advert
from crawler.privacy import scrub_page, scrub_page_and_tree

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageResult:
    """A page's work: the scrubbed page (what the archive keeps), its finished adverts, or why it has none."""
    html: str
    adverts: list[dict] = field(default_factory=list)
    error: str | None = None
    reference: str | None = None  # the failed page's advert, where the page names one


def nhsjobs_advert_page(text: str, url: str, relevance_threshold: float) -> PageResult:
    """One NHS Jobs advert page."""
    html = ""
    try:
        html, document = scrub_page_and_tree(text)
        return PageResult(html, [finish_advert(parse_advert(html, url, document), relevance_threshold)])
    except ParseError as exc:
        return PageResult(html, error=str(exc))


def jobposting_page(text: str, url: str, relevance_threshold: float) -> PageResult:
    """Any page of a JobPosting board: its postings as adverts, none for a listing page."""
    html = scrub_page(text)
    try:
        adverts = parse_page(html, url)
    except ParseError as exc:
        return PageResult(html, error=str(exc), reference=getattr(exc, "reference", None))
    return PageResult(html, [finish_advert(advert, relevance_threshold) for advert in adverts])


class PageWorkers:
    """Runs page work in ``workers`` processes (started on first use), or in this process when ``workers`` is 0
    or a worker died (the page is then done here, and the next one gets a fresh worker)."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, function, *args):
        if self.workers <= 0:
            return function(*args)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            return await asyncio.wrap_future(self._pool.submit(function, *args))
        except BrokenProcessPool:
            logger.warning("a page worker died: this page is done in the crawl's process, the next in a new worker")
            self._pool = None
            return function(*args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class PageWorkSpider:
    """A spider whose pages are worked by PageWorkers (CIJOBS_PAGE_WORKERS of them), closed with the spider."""

    @property
    def page_workers(self) -> PageWorkers:
        if not hasattr(self, "_page_workers"):
            self._page_workers = PageWorkers(self.settings.getint("CIJOBS_PAGE_WORKERS"))
        return self._page_workers

    def closed(self, reason: str) -> None:
        if hasattr(self, "_page_workers"):
            self._page_workers.close()

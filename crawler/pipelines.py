"""Loading a crawl into the warehouse: all at the end, in one transaction, or not at all.

By default the crawl loads itself when the spider closes. With ``CIJOBS_BATCH_DIR`` set (a scrapyd job) it never
opens the warehouse: it writes its run as a batch in that folder (crawler/batches.py) for `cijobs load` to merge.
Either way the verdict and the counts are decided here, from the crawl's own stats, and recorded the same way
(crawler/recording.py).
"""
from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

import warehouse
from crawler.batches import BatchError, read_known_listings, write_batch
from crawler.items import AdvertItem, ListedItem, RawPageItem, WithdrawnItem
from crawler.recording import CrawlOutcome, record_crawl
from crawler.staging import CrawlStage

logger = logging.getLogger(__name__)


class WarehousePipeline:
    """Stages a crawl's items on disk and loads them when the spider closes (or writes them as a batch).

    A crawl that found nothing, or whose pages mostly failed to parse, loads no adverts
    (the published data stays as it was) but still archives its raw pages for re-parse and
    records a failed run. A crawl killed before it closes leaves its stage in the JOBDIR; the
    next run of the same crawl picks it up (the spider skips adverts already fetched).
    """

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = settings.get("CIJOBS_DB")
        self.batch_dir = Path(settings.get("CIJOBS_BATCH_DIR")) if settings.get("CIJOBS_BATCH_DIR") else None
        self.max_parse_error_rate = settings.getfloat("CIJOBS_MAX_PARSE_ERROR_RATE")
        self.max_listing_drop = settings.getfloat("CIJOBS_MAX_LISTING_DROP")
        self.min_listing = settings.getint("CIJOBS_MIN_LISTING_FOR_DROP")
        self.repost_window_days = settings.getint("CIJOBS_REPOST_WINDOW_DAYS")
        jobdir = settings.get("JOBDIR")
        self.stage_dir = Path(jobdir) / "stage" if jobdir else Path(tempfile.mkdtemp(prefix="cijobs-stage-"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.stage = CrawlStage(self.stage_dir)
        self.started_at = datetime.now()
        if self.batch_dir is None:
            self._start_run(spider)
        else:
            self._start_batch(spider)
        spider.already_fetched = self.stage.fetched_references()
        if spider.already_fetched:
            logger.info("resuming an interrupted crawl: %d adverts already fetched", len(spider.already_fetched))
            self.stats.set_value("cijobs/adverts_resumed", len(spider.already_fetched))

    def _start_run(self, spider) -> None:
        con = warehouse.open_warehouse(self.db_path)
        try:
            warehouse.register_source(con, spider.name, spider.source_name, getattr(spider, "base_url", None),
                                      getattr(spider, "attribution", None))
            warehouse.mark_interrupted_runs(con, spider.name)
            self.run_id = warehouse.start_run(con, spider.name, self.started_at)
            spider.known_listings = warehouse.known_listings(con, spider.name)
        finally:
            con.close()
        self.stats.set_value("cijobs/run_id", self.run_id)

    def _start_batch(self, spider) -> None:
        """A batch's run is started when it is loaded; the scrapyd job id (which `cijobs refresh` chose) is its id."""
        self.batch_id = getattr(spider, "_job", None) or uuid.uuid4().hex
        try:
            spider.known_listings = read_known_listings(self.batch_dir, spider.name)
        except BatchError as exc:  # every listed advert is fetched: slower, never wrong
            logger.error("known listings not read, every listed advert is fetched: %s", exc)
        self.stats.set_value("cijobs/batch_id", self.batch_id)

    def process_item(self, item, spider=None):
        if isinstance(item, AdvertItem):
            self.stage.add_advert(item.advert)
        elif isinstance(item, RawPageItem):
            self.stage.add_page({
                "url": item.url, "source": item.source, "reference": item.reference,
                "fetched_at": item.fetched_at, "http_status": item.http_status, "html": item.html,
                "parse_ok": item.parse_ok, "parse_error": item.parse_error,
            })
        elif isinstance(item, ListedItem):
            self.stage.add_listed(item.reference, item.discovery_hash, item.query)
        elif isinstance(item, WithdrawnItem):
            self.stage.add_withdrawn(item.reference)
        return item

    def _failure(self, spider, adverts: int, pages: int, listed: int, parse_errors: int) -> str | None:
        unreachable = self._unreachable(spider)
        if unreachable:
            return unreachable
        if not adverts and not pages and not listed:
            return "discovered no adverts: the search answered nothing (site down, blocked, or markup changed?)"
        if pages and parse_errors / pages > self.max_parse_error_rate:
            return (f"{parse_errors} of {pages} advert pages failed to parse "
                    f"(over {self.max_parse_error_rate:.0%}): the markup has probably changed")
        if self.stats.get_value("finish_reason") not in (None, "finished"):
            return f"crawl stopped early ({self.stats.get_value('finish_reason')})"
        return None

    def _outcome(self, spider) -> CrawlOutcome:
        """The crawl's verdict and counts, from its stage and stats (pages are read one at a time, never all)."""
        adverts = sum(1 for _ in self.stage.records("adverts"))
        page_count = parse_errors = 0
        for page in self.stage.records("pages"):
            page_count += 1
            parse_errors += not page["parse_ok"]
        listed = {record["reference"] for record in self.stage.records("listed")}
        withdrawn = {record["reference"] for record in self.stage.records("withdrawn")}
        counts = {"adverts_seen": len(listed) or adverts, "parse_errors": parse_errors,
                  "adverts_withdrawn": len(withdrawn),
                  "adverts_skipped": self.stats.get_value("cijobs/adverts_skipped", 0),
                  "discovery_errors": self.stats.get_value("cijobs/discovery_errors", 0),
                  "links_unreadable": self.stats.get_value("cijobs/links_unreadable", 0),
                  "pages_failed": self.stats.get_value("cijobs/pages_failed", 0), **self._http_counts()}
        return CrawlOutcome(
            source=spider.name, source_name=spider.source_name, base_url=getattr(spider, "base_url", None),
            attribution=getattr(spider, "attribution", None), started_at=self.started_at,
            finished_at=datetime.now(), failure=self._failure(spider, adverts, page_count, len(listed), parse_errors),
            counts=counts, responses_by_status=self._responses_by_status(),
            keywords=list(getattr(spider, "keywords", [])),
            discovery_complete=bool(getattr(spider, "discovery_complete", False)),
            max_listing_drop=self.max_listing_drop, min_listing_for_drop=self.min_listing,
            repost_window_days=self.repost_window_days)

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        outcome = self._outcome(spider)
        if self.batch_dir is None:
            con = warehouse.open_warehouse(self.db_path)
            try:
                recorded = record_crawl(con, self.run_id, outcome, self.stage.records)
            finally:
                con.close()
            counts, status, message = recorded.counts, recorded.status, recorded.message
        else:
            batch = write_batch(self.batch_dir, self.batch_id, outcome, self.stage.records)
            logger.info("wrote batch %s (load it into the warehouse with `cijobs load`)", batch)
            counts, status = outcome.counts, "failed" if outcome.failure else "succeeded"
            message = outcome.failure or f"staged as batch {batch.name}, not loaded yet (`cijobs load`)"
            self.stats.set_value("cijobs/batch", str(batch))
        self.stage.discard()
        for name, value in counts.items():
            self.stats.set_value(f"cijobs/{name}", value)
        self.stats.set_value("cijobs/status", status)
        self.stats.set_value("cijobs/message", message)
        if outcome.failure:
            logger.error("crawl failed: %s", outcome.failure)

    def _unreachable(self, spider) -> str | None:
        """A clear message when no request got any answer at all (offline, DNS, firewall)."""
        stats = self.stats.get_stats()
        if stats.get("downloader/response_count", 0):
            return None
        errors = sorted((v, k.rsplit("/", 1)[-1]) for k, v in stats.items()
                        if k.startswith("downloader/exception_type_count/"))
        if not errors:
            return None
        reason = errors[-1][1].rsplit(".", 1)[-1]
        return (f"could not reach {getattr(spider, 'base_url', 'the source')} ({reason}): is this machine "
                "offline? `make demo` (or `cijobs demo`) runs the same pipeline against the bundled sample site")

    def _responses_by_status(self) -> dict[str, int]:
        prefix = "downloader/response_status_count/"
        return {k.removeprefix(prefix): v for k, v in self.stats.get_stats().items() if k.startswith(prefix)}

    def _http_counts(self) -> dict[str, int]:
        by_status = self._responses_by_status()
        ok = sum(v for k, v in by_status.items() if k.startswith("2"))
        return {"requests": self.stats.get_value("downloader/request_count", 0), "responses_ok": ok,
                "responses_error": sum(by_status.values()) - ok}

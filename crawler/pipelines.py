"""Loading a crawl into the warehouse: all at the end, in one transaction, or not at all."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import warehouse
from crawler.items import AdvertItem, ListedItem, RawPageItem, WithdrawnItem
from crawler.staging import CrawlStage

logger = logging.getLogger(__name__)


class WarehousePipeline:
    """Stages a crawl's items on disk and loads them when the spider closes.

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
        con = warehouse.open_warehouse(self.db_path)
        try:
            warehouse.register_source(con, spider.name, spider.source_name, getattr(spider, "base_url", None),
                                      getattr(spider, "attribution", None))
            warehouse.mark_interrupted_runs(con, spider.name)
            self.run_id = warehouse.start_run(con, spider.name)
            spider.known_listings = warehouse.known_listings(con, spider.name)
        finally:
            con.close()
        spider.already_fetched = self.stage.fetched_references()
        if spider.already_fetched:
            logger.info("resuming an interrupted crawl: %d adverts already fetched", len(spider.already_fetched))
            self.stats.set_value("cijobs/adverts_resumed", len(spider.already_fetched))
        self.stats.set_value("cijobs/run_id", self.run_id)

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

    def _failure(self, spider, adverts: list, pages: int, listed: dict, parse_errors: int) -> str | None:
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

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        adverts = self.stage.read("adverts")
        # Pages are read twice, one at a time (counted now, loaded in batches below), never all at once.
        page_count = parse_errors = 0
        for page in self.stage.records("pages"):
            page_count += 1
            parse_errors += not page["parse_ok"]
        pages = ({**page, "body": warehouse.compress_page(page.pop("html"))} for page in self.stage.records("pages"))
        listed_records = self.stage.read("listed")
        listed = {record["reference"]: record["discovery_hash"] for record in listed_records}
        withdrawn = {record["reference"] for record in self.stage.read("withdrawn")}
        failure = self._failure(spider, adverts, page_count, listed, parse_errors)
        counts = {"adverts_seen": len(listed) or len(adverts), "parse_errors": parse_errors,
                  "adverts_withdrawn": len(withdrawn),
                  "adverts_skipped": self.stats.get_value("cijobs/adverts_skipped", 0),
                  "discovery_errors": self.stats.get_value("cijobs/discovery_errors", 0),
                  "links_unreadable": self.stats.get_value("cijobs/links_unreadable", 0),
                  "pages_failed": self.stats.get_value("cijobs/pages_failed", 0)}
        note = None
        con = warehouse.open_warehouse(self.db_path)
        try:
            if failure is None:
                complete, held = self._closures_allowed(con, spider, listed_records)
                listing = warehouse.Listing(spider.name, listed, complete, withdrawn)
                loaded = warehouse.load_adverts(con, adverts, pages, run_id=self.run_id, listing=listing,
                                                repost_window_days=self.repost_window_days)
                counts.update(adverts_new=loaded.new, adverts_updated=loaded.updated,
                              adverts_unchanged=loaded.unchanged + counts["adverts_skipped"],
                              adverts_closed=loaded.closed, adverts_duplicate=loaded.duplicates,
                              adverts_reopened=loaded.reopened)
                note = held
            else:
                warehouse.archive_pages(con, pages, run_id=self.run_id)
            counts.update(self._http_counts())
            status = "failed" if failure else "succeeded"
            warehouse.finish_run(con, self.run_id, status, counts, failure or note, self._responses_by_status())
        finally:
            con.close()
        self.stage.discard()
        for name, value in counts.items():
            self.stats.set_value(f"cijobs/{name}", value)
        self.stats.set_value("cijobs/status", status)
        self.stats.set_value("cijobs/message", failure or note)
        if failure:
            logger.error("crawl failed: %s", failure)

    def _closures_allowed(self, con, spider, listed_records: list[dict]) -> tuple[bool, str | None]:
        """Whether adverts missing from this run's listing may be closed, and why not when they may not.

        Only a discovery that ran every query to its end may close, and not when a query listed far fewer
        adverts than in the last run (a board that shows 2 of 38 adverts for a night closes nothing; the
        next run, compared with this one, decides). The counts per query are recorded for that comparison."""
        by_query: dict[str, set[str]] = {query: set() for query in getattr(spider, "keywords", [])}
        for record in listed_records:
            if record.get("query") is not None:
                by_query.setdefault(record["query"], set()).add(record["reference"])
        current = {query: len(references) for query, references in by_query.items()}
        warehouse.record_listing_counts(con, self.run_id, current)
        if not getattr(spider, "discovery_complete", False):
            return False, None
        previous = warehouse.previous_listing_counts(con, spider.name, self.run_id)
        shrunk = warehouse.shrunk_listings(previous, current, self.max_listing_drop, self.min_listing)
        if not shrunk:
            return True, None
        note = (f"no advert closed: {'; '.join(shrunk)} (a fall of more than {self.max_listing_drop:.0%}); "
                "the next run decides")
        logger.error(note)
        return False, note

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

"""Loading a crawl into the warehouse: all at the end, in one transaction, or not at all."""
from __future__ import annotations

import logging

import warehouse
from crawler.items import AdvertItem, RawPageItem

logger = logging.getLogger(__name__)


class CrawlFailed(Exception):
    pass


class WarehousePipeline:
    """Collects a crawl's adverts and raw pages and loads them when the spider closes.

    A crawl that found nothing, or whose pages mostly failed to parse, loads no adverts
    (the published data stays as it was) but still archives its raw pages for re-parse and
    records a failed run.
    """

    def __init__(self, db_path: str, max_parse_error_rate: float, stats):
        self.db_path = db_path
        self.max_parse_error_rate = max_parse_error_rate
        self.stats = stats
        self.adverts: list[dict] = []
        self.raw_pages: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("CIJOBS_DB"), settings.getfloat("CIJOBS_MAX_PARSE_ERROR_RATE"), crawler.stats)

    def open_spider(self, spider):
        con = warehouse.open_warehouse(self.db_path)
        try:
            warehouse.register_source(con, spider.name, spider.source_name, getattr(spider, "base_url", None),
                                      getattr(spider, "attribution", None))
            self.run_id = warehouse.start_run(con, spider.name)
        finally:
            con.close()
        self.stats.set_value("cijobs/run_id", self.run_id)

    def process_item(self, item, spider):
        if isinstance(item, AdvertItem):
            self.adverts.append(item.advert)
        elif isinstance(item, RawPageItem):
            self.raw_pages.append({
                "url": item.url, "source": item.source, "reference": item.reference,
                "fetched_at": item.fetched_at, "http_status": item.http_status,
                "body": warehouse.compress_page(item.html), "parse_ok": item.parse_ok,
                "parse_error": item.parse_error,
            })
        return item

    def _failure(self, spider) -> str | None:
        unreachable = self._unreachable(spider)
        if unreachable:
            return unreachable
        parse_errors = self.stats.get_value("cijobs/parse_errors", 0)
        pages = len(self.raw_pages)
        if not self.adverts and not pages:
            discovered = self.stats.get_value("cijobs/adverts_discovered", 0)
            if discovered:
                return f"discovered {discovered} adverts but fetched none of them"
            return "discovered no adverts: the search answered nothing (site down, blocked, or markup changed?)"
        if pages and parse_errors / pages > self.max_parse_error_rate:
            return (f"{parse_errors} of {pages} advert pages failed to parse "
                    f"(over {self.max_parse_error_rate:.0%}): the markup has probably changed")
        return None

    def close_spider(self, spider):
        failure = self._failure(spider)
        if failure is None and self.stats.get_value("finish_reason") not in (None, "finished"):
            failure = f"crawl stopped early ({self.stats.get_value('finish_reason')})"
        con = warehouse.open_warehouse(self.db_path)
        try:
            counts = {"adverts_seen": len(self.adverts),
                      "parse_errors": self.stats.get_value("cijobs/parse_errors", 0)}
            if failure is None:
                loaded = warehouse.load_adverts(con, self.adverts, self.raw_pages, run_id=self.run_id)
                counts.update(adverts_new=loaded.new, adverts_updated=loaded.updated,
                              adverts_unchanged=loaded.unchanged, adverts_closed=loaded.closed)
            else:
                warehouse.archive_pages(con, self.raw_pages, run_id=self.run_id)
            counts.update(self._http_counts())
            status = "failed" if failure else "succeeded"
            warehouse.finish_run(con, self.run_id, status, counts, failure)
        finally:
            con.close()
        for name, value in counts.items():
            self.stats.set_value(f"cijobs/{name}", value)
        self.stats.set_value("cijobs/status", status)
        self.stats.set_value("cijobs/message", failure)
        if failure:
            logger.error("crawl failed: %s", failure)

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

    def _http_counts(self) -> dict[str, int]:
        stats = self.stats.get_stats()
        ok = sum(v for k, v in stats.items() if k.startswith("downloader/response_status_count/2"))
        total = stats.get("downloader/response_count", 0)
        return {"requests": stats.get("downloader/request_count", 0), "responses_ok": ok,
                "responses_error": total - ok}

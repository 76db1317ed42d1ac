"""Any job board that embeds schema.org JobPosting: discovery from a sitemap or from the board's
own listing pages, adverts from the structured data of their pages."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import lxml.etree
import scrapy
from scrapy.http import TextResponse, XmlResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

from crawler.items import AdvertItem, RawPageItem
from crawler.page_work import PageWorkSpider, jobposting_page

SITEMAP_PATH = "/sitemap.xml"
# Discovery stays bounded: at most this many sitemaps and listing pages are read for links
# (--max-pages overrides it), and links are followed at most DEPTH_LIMIT hops from the start.
DEFAULT_MAX_DISCOVERY_PAGES = 50
DEPTH_LIMIT = 5


def _url_list(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [url.strip() for url in value or () if url and url.strip()]


class JobPostingSpider(PageWorkSpider, scrapy.Spider):
    """``base_url`` alone: its /sitemap.xml if it has one, otherwise its home page and the
    same-host links of every listing page (a page without a JobPosting). ``sitemap`` or
    ``start_urls`` (a list or a comma-separated string) start there instead."""

    name = "jobposting"
    source_name = "Job boards with schema.org JobPosting"
    custom_settings = {"DEPTH_LIMIT": DEPTH_LIMIT}

    def __init__(self, base_url: str | None = None, start_urls=None, sitemap: str | None = None,
                 max_pages: int | str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = _url_list(start_urls)
        self.sitemap = sitemap or None
        first = base_url or self.sitemap or next(iter(self.start_urls), None)
        if not first:
            raise ValueError("the jobposting spider needs base_url, start_urls or sitemap")
        parts = urlsplit(first)
        self.base_url = base_url.rstrip("/") if base_url else f"{parts.scheme}://{parts.netloc}"
        self.attribution = f"Contains adverts from {urlsplit(self.base_url).netloc}"
        self.hosts = {urlsplit(url).netloc for url in (self.base_url, self.sitemap, *self.start_urls) if url}
        self.max_pages = int(max_pages) if max_pages else DEFAULT_MAX_DISCOVERY_PAGES
        self._discovery_pages = 0
        self._links = LinkExtractor(unique=True)

    async def start(self):
        if self.sitemap:
            yield self._sitemap_request(self.sitemap, fallback=False)
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse)
        if not self.sitemap and not self.start_urls:
            yield self._sitemap_request(self.base_url + SITEMAP_PATH, fallback=True)

    def _sitemap_request(self, url: str, fallback: bool) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed,
                              meta={"handle_httpstatus_all": True, "fallback": fallback})

    def _read_for_links(self) -> bool:
        """True while the discovery budget (``max_pages``) lasts; counts the page."""
        if self._discovery_pages >= self.max_pages:
            self.crawler.stats.inc_value("cijobs/discovery_pages_skipped")
            return False
        self._discovery_pages += 1
        return True

    def parse_sitemap(self, response):
        """Advert (and listing) pages from a sitemap, or the sitemaps of a sitemap index."""
        sitemap = self._read_sitemap(response) if response.status == 200 else None
        if sitemap is None:
            yield from self._no_sitemap(response.request, f"HTTP {response.status}, not a sitemap")
            return
        if not self._read_for_links():
            return
        for entry in sitemap:
            if sitemap.type == "sitemapindex":
                yield self._sitemap_request(entry["loc"], fallback=False)
            else:
                yield scrapy.Request(entry["loc"], callback=self.parse, cb_kwargs={"follow": False})

    def _read_sitemap(self, response) -> Sitemap | None:
        """The sitemap (gunzipped if need be, within DOWNLOAD_MAXSIZE); None if the answer is not one."""
        body = response.body
        try:
            if gzip_magic_number(response):
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            elif not isinstance(response, XmlResponse) and not body.lstrip().startswith(b"<?xml"):
                return None
            sitemap = Sitemap(body)
        except (ValueError, OSError, EOFError, StopIteration, lxml.etree.LxmlError):
            return None
        return sitemap if sitemap.type in ("urlset", "sitemapindex") else None

    def sitemap_failed(self, failure):
        yield from self._no_sitemap(failure.request, repr(failure.value))

    def _no_sitemap(self, request, reason: str):
        if request.meta.get("fallback"):
            self.logger.info("no sitemap at %s (%s): starting from %s", request.url, reason, self.base_url)
            yield scrapy.Request(self.base_url + "/", callback=self.parse)
            return
        self.crawler.stats.inc_value("cijobs/discovery_errors")
        self.logger.error("sitemap %s unusable: %s", request.url, reason)

    async def parse(self, response, follow: bool = True):
        """A page: its adverts when it embeds a JobPosting; otherwise, a listing page, its same-host
        links (not for pages listed in a sitemap, which is discovery enough)."""
        if not isinstance(response, TextResponse) or not response.text.strip():
            return
        fetched_at = datetime.now()
        threshold = self.settings.getfloat("CIJOBS_RELEVANCE_THRESHOLD")
        page = await self.page_workers.run(jobposting_page, response.text, response.url, threshold)
        if page.error is not None:
            self.crawler.stats.inc_value("cijobs/adverts_discovered")
            self.crawler.stats.inc_value("cijobs/parse_errors")
            self.logger.warning("parse error: %s", page.error)
            yield RawPageItem(response.url, self.name, page.reference, fetched_at, response.status, page.html, False,
                              page.error)
            return
        if not page.adverts:
            if follow and self._read_for_links():
                for request in self._follow_links(response):
                    yield request
            return
        self.crawler.stats.inc_value("cijobs/adverts_discovered", len(page.adverts))
        self.crawler.stats.inc_value("cijobs/adverts_parsed", len(page.adverts))
        yield RawPageItem(response.url, self.name, page.adverts[0]["reference"], fetched_at, response.status,
                          page.html, True)
        for advert in page.adverts:
            yield AdvertItem(advert)

    def _follow_links(self, response):
        for link in self._links.extract_links(response):
            if urlsplit(link.url).netloc in self.hosts:
                yield scrapy.Request(link.url, callback=self.parse)


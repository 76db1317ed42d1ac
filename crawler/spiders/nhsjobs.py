"""NHS Jobs: discovery through the XML search API (or HTML search pages), detail from advert pages."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import scrapy

from crawler import selectors as S
from crawler.enrich import finish_advert
from crawler.items import AdvertItem, RawPageItem
from crawler.parsers.nhsjobs import (
    ParseError,
    advert_reference,
    canonical_advert_url,
    parse_advert,
    parse_search_html,
    parse_search_xml,
)
from crawler.privacy import scrub_page

DEFAULT_BASE_URL = "https://www.jobs.nhs.uk"
DEFAULT_KEYWORDS = (
    "clinical informatics", "health informatics", "digital", "EPR", "EHR", "clinical systems",
    "clinical safety officer", "information governance", "data analyst", "business intelligence",
    "data scientist", "clinical coding", "interoperability", "integration", "CCIO", "CNIO", "CMIO",
    "chief clinical information officer", "PACS", "cyber security",
)


class NhsJobsSpider(scrapy.Spider):
    name = "nhsjobs"
    source_name = "NHS Jobs"
    attribution = "Contains adverts from NHS Jobs (NHS Business Services Authority)"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, keywords=None, discovery: str = "api",
                 max_pages: int | str | None = None, **kwargs):
        super().__init__(**kwargs)
        if discovery not in ("api", "html"):
            raise ValueError(f"discovery must be 'api' or 'html', not {discovery!r}")
        self.base_url = base_url.rstrip("/")
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.split(",")]
        self.keywords = list(keywords) if keywords else list(DEFAULT_KEYWORDS)
        self.discovery = discovery
        self.max_pages = int(max_pages) if max_pages else None

    async def start(self):
        for keyword in self.keywords:
            yield self._search_request(keyword, 1)

    def _search_request(self, keyword: str, page: int) -> scrapy.Request:
        if self.discovery == "api":
            query = {"keyword": keyword, **S.NHSJOBS_API_PARAMS, "page": page}
            url = f"{self.base_url}{S.NHSJOBS_API_PATH}?{urlencode(query)}"
            return scrapy.Request(url, callback=self.parse_api, cb_kwargs={"keyword": keyword, "page": page})
        query = {"keyword": keyword, "sort": "publicationDateDesc", "page": page}
        url = f"{self.base_url}{S.NHSJOBS_SEARCH_PATH}?{urlencode(query)}"
        return scrapy.Request(url, callback=self.parse_search, cb_kwargs={"keyword": keyword, "page": page})

    def _within_page_limit(self, page: int) -> bool:
        return self.max_pages is None or page < self.max_pages

    def _advert_request(self, url: str) -> scrapy.Request:
        self.crawler.stats.inc_value("cijobs/adverts_discovered")
        return scrapy.Request(canonical_advert_url(url, self.base_url), callback=self.parse_advert,
                              meta={"handle_httpstatus_list": [404, 410]})

    def parse_api(self, response, keyword: str, page: int):
        """Vacancies from one page of the XML search API, then the next page.

        @url https://www.jobs.nhs.uk/api/v1/search_xml?keyword=informatics&page=1
        @returns requests 0 101
        """
        try:
            vacancies, total_pages = parse_search_xml(response.body)
        except ParseError as exc:
            self.crawler.stats.inc_value("cijobs/discovery_errors")
            self.logger.error("discovery page %s: %s", response.url, exc)
            return
        for vacancy in vacancies:
            url = vacancy["url"] or S.NHSJOBS_ADVERT_PATH.format(reference=vacancy["reference"])
            yield self._advert_request(url)
        if page < total_pages and self._within_page_limit(page):
            yield self._search_request(keyword, page + 1)

    def parse_search(self, response, keyword: str, page: int):
        """Advert links from one HTML search results page, then the next page."""
        cards, next_href = parse_search_html(response.text)
        for card in cards:
            yield self._advert_request(response.urljoin(card["url"]))
        if next_href and cards and self._within_page_limit(page):
            yield self._search_request(keyword, page + 1)

    def parse_advert(self, response):
        """One advert page: the parsed advert and its scrubbed raw page."""
        fetched_at = datetime.now()
        reference = advert_reference(response.url)
        if response.status in (404, 410):
            self.crawler.stats.inc_value("cijobs/adverts_withdrawn")
            return
        html = scrub_page(response.text)
        try:
            advert = finish_advert(parse_advert(html, response.url))
        except ParseError as exc:
            self.crawler.stats.inc_value("cijobs/parse_errors")
            self.logger.warning("parse error: %s", exc)
            yield RawPageItem(response.url, self.name, reference, fetched_at, response.status, html, False, str(exc))
            return
        self.crawler.stats.inc_value("cijobs/adverts_parsed")
        yield RawPageItem(response.url, self.name, reference, fetched_at, response.status, html, True)
        yield AdvertItem(advert)

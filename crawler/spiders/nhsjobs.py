"""NHS Jobs: discovery through the XML search API (or HTML search pages), detail from advert pages."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

import scrapy
from scrapy.http import TextResponse

from crawler import selectors as S
from crawler.items import AdvertItem, ListedItem, RawPageItem, WithdrawnItem
from crawler.page_work import PageResult, PageWorkSpider, nhsjobs_advert_page
from crawler.parsers.nhsjobs import (
    ParseError,
    advert_reference,
    canonical_advert_url,
    parse_search_html,
    parse_search_xml,
)

DEFAULT_BASE_URL = "https://www.jobs.nhs.uk"
DEFAULT_KEYWORDS = (
    "clinical informatics", "health informatics", "digital", "EPR", "EHR", "clinical systems",
    "clinical safety officer", "information governance", "data analyst", "business intelligence",
    "data scientist", "clinical coding", "interoperability", "integration", "CCIO", "CNIO", "CMIO",
    "chief clinical information officer", "PACS", "cyber security",
)


class NhsJobsSpider(PageWorkSpider, scrapy.Spider):
    name = "nhsjobs"
    source_name = "NHS Jobs"
    attribution = "Contains adverts from NHS Jobs (NHS Business Services Authority)"

    def __init__(self, base_url: str = DEFAULT_BASE_URL, keywords=None, discovery: str = "api",
                 max_pages: int | str | None = None, refetch: bool | str = False, **kwargs):
        super().__init__(**kwargs)
        if discovery not in ("api", "html"):
            raise ValueError(f"discovery must be 'api' or 'html', not {discovery!r}")
        self.base_url = base_url.rstrip("/")
        if isinstance(keywords, str):
            keywords = [k.strip() for k in keywords.split(",")]
        self.keywords = list(keywords) if keywords else list(DEFAULT_KEYWORDS)
        self.discovery = discovery
        self.max_pages = int(max_pages) if max_pages else None
        self.refetch = refetch in (True, "1", "true", "yes")
        # Set by the warehouse pipeline when the spider opens (see WarehousePipeline.open_spider).
        self.known_listings: dict[str, str] = {}
        self.already_fetched: set[str] = set()
        self._requested: set[str] = set()
        # Only a discovery that ran every default query to its end, cleanly, may close unlisted adverts.
        self._discovery_problems: list[str] = [] if keywords is None else ["custom keywords"]

    @property
    def discovery_complete(self) -> bool:
        return not self._discovery_problems

    async def start(self):
        # The first query probes the site; the others follow once it has answered at all, so an
        # unreachable site (offline, DNS, firewall) fails after one request's retries, not all of them.
        yield self._search_request(self.keywords[0], 1)

    def _other_queries(self, keyword: str, page: int):
        if page == 1 and keyword == self.keywords[0]:
            for other in self.keywords[1:]:
                yield self._search_request(other, 1)

    def _search_request(self, keyword: str, page: int) -> scrapy.Request:
        if self.discovery == "api":
            query = {"keyword": keyword, **S.NHSJOBS_API_PARAMS, "page": page}
            url = f"{self.base_url}{S.NHSJOBS_API_PATH}?{urlencode(query)}"
            callback = self.parse_api
        else:
            query = {"keyword": keyword, "sort": "publicationDateDesc", "page": page}
            url = f"{self.base_url}{S.NHSJOBS_SEARCH_PATH}?{urlencode(query)}"
            callback = self.parse_search
        # Discovery always runs in full (also when resuming), so it bypasses the duplicate filter.
        return scrapy.Request(url, callback=callback, errback=self.discovery_failed, dont_filter=True,
                              cb_kwargs={"keyword": keyword, "page": page})

    def discovery_failed(self, failure):
        self._discovery_problems.append(f"search page failed: {failure.request.url}")
        self.crawler.stats.inc_value("cijobs/discovery_errors")
        self.logger.error("discovery page %s failed: %s", failure.request.url, failure.value)
        if getattr(failure.value, "response", None) is not None:  # the site answered, with an error
            yield from self._other_queries(**failure.request.cb_kwargs)

    def _next_page_allowed(self, page: int) -> bool:
        if self.max_pages is None or page < self.max_pages:
            if page < self.settings.getint("CIJOBS_SEARCH_PAGE_LIMIT"):
                return True
            self._discovery_problems.append(f"search stopped at the page limit ({page} pages)")
            self.crawler.stats.inc_value("cijobs/discovery_errors")
            self.logger.error("a search went on past %d pages: stopped there (CIJOBS_SEARCH_PAGE_LIMIT)", page)
            return False
        self._discovery_problems.append("--max-pages stopped discovery")
        return False

    def _listed(self, url: str, discovery_hash: str | None, keyword: str | None = None):
        """The ListedItem for a discovered advert, and its page request unless it need not be fetched.

        A link with no readable reference is an error of the run (counted, and it keeps the run from
        closing unlisted adverts), never a warning alone: the advert it names would otherwise vanish."""
        url = canonical_advert_url(url, self.base_url)
        reference = advert_reference(url)
        if reference is None:
            self._discovery_problems.append(f"unreadable advert link: {url}")
            self.crawler.stats.inc_value("cijobs/links_unreadable")
            self.crawler.stats.inc_value("cijobs/discovery_errors")
            self.logger.error("discovered an advert link with no readable reference: %s", url)
            return
        self.crawler.stats.inc_value("cijobs/adverts_discovered")
        yield ListedItem(reference, discovery_hash, keyword)
        if reference in self._requested or reference in self.already_fetched:
            return
        self._requested.add(reference)
        if not self.refetch and discovery_hash and self.known_listings.get(reference) == discovery_hash:
            self.crawler.stats.inc_value("cijobs/adverts_skipped")
            return
        yield scrapy.Request(url, callback=self.parse_advert, errback=self.advert_failed, dont_filter=True,
                             meta={"handle_httpstatus_list": [404, 410]}, cb_kwargs={"discovery_hash": discovery_hash})

    def advert_failed(self, failure):
        """An advert page that failed after every retry is an error of the run; its advert stays as it was."""
        self.crawler.stats.inc_value("cijobs/pages_failed")
        self.logger.error("advert page %s failed: %s", failure.request.url, failure.value)

    def parse_api(self, response, keyword: str, page: int):
        """Vacancies from one page of the XML search API, then the next page.

        @url https://www.jobs.nhs.uk/api/v1/search_xml?keyword=informatics&page=1
        @cb_kwargs {"keyword": "informatics", "page": 1}
        @returns items 1 100
        """
        yield from self._other_queries(keyword, page)
        try:
            vacancies, total_pages = parse_search_xml(response.body)
        except ParseError as exc:
            self._discovery_problems.append(str(exc))
            self.crawler.stats.inc_value("cijobs/discovery_errors")
            self.logger.error("discovery page %s: %s", response.url, exc)
            return
        for vacancy in vacancies:
            url = vacancy["url"]
            if (not url or advert_reference(url) is None) and vacancy["reference"]:
                url = S.NHSJOBS_ADVERT_PATH.format(reference=quote(vacancy["reference"], safe=""))
            yield from self._listed(url or "", vacancy["discovery_hash"], keyword)
        if not vacancies and page > 1:  # past the last result, whatever totalPages claims
            return
        if page < total_pages and self._next_page_allowed(page):
            yield self._search_request(keyword, page + 1)

    def parse_search(self, response, keyword: str, page: int):
        """Advert links from one HTML search results page, then the next page.

        @url https://www.jobs.nhs.uk/candidate/search/results?keyword=informatics&page=1
        @cb_kwargs {"keyword": "informatics", "page": 1}
        @returns items 1 100
        """
        yield from self._other_queries(keyword, page)
        cards, next_href = parse_search_html(response.text)
        for card in cards:
            yield from self._listed(response.urljoin(card["url"]), card["discovery_hash"], keyword)
        if next_href and cards and self._next_page_allowed(page):
            yield self._search_request(keyword, page + 1)

    async def parse_advert(self, response, discovery_hash: str | None = None):
        """One advert page: the parsed advert and its scrubbed raw page.

        (The sample URL is an advert of the bundled sample board: live adverts close within weeks.)
        @url https://www.jobs.nhs.uk/candidate/jobadvert/C9184-25-0511
        @returns items 2 2
        """
        fetched_at = datetime.now()
        reference = advert_reference(response.url)
        if response.status in (404, 410):
            self.crawler.stats.inc_value("cijobs/adverts_withdrawn")
            yield WithdrawnItem(reference)
            return
        if isinstance(response, TextResponse):
            threshold = self.settings.getfloat("CIJOBS_RELEVANCE_THRESHOLD")
            page = await self.page_workers.run(nhsjobs_advert_page, response.text, response.url, threshold)
        else:  # a PDF or an image where the page should be
            kind = response.headers.get("Content-Type", b"no content type").decode("latin-1")
            page = PageResult("", error=f"{response.url}: not an HTML page ({kind})")
        html = page.html
        if page.error is not None:
            self.crawler.stats.inc_value("cijobs/parse_errors")
            self.logger.warning("parse error: %s", page.error)
            yield RawPageItem(response.url, self.name, reference, fetched_at, response.status, html, False, page.error)
            return
        [advert] = page.adverts
        advert["discovery_hash"] = discovery_hash
        self.crawler.stats.inc_value("cijobs/adverts_parsed")
        yield RawPageItem(response.url, self.name, reference, fetched_at, response.status, html, True)
        yield AdvertItem(advert)

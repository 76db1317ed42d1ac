"""Every crawler default in one place: politeness, retries, caching, the warehouse to load into.

Each can be overridden per run by the ``cijobs crawl`` options or Scrapy's ``-s NAME=VALUE``.
"""
from crawler.relevance import THRESHOLD as RELEVANCE_THRESHOLD
from warehouse.adverts import REPOST_WINDOW_DAYS
from warehouse.connection import DEFAULT_PATH as DEFAULT_WAREHOUSE

BOT_NAME = "cijobs"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Who we are: sites see a descriptive User-Agent with a URL to reach the operator.
CIJOBS_CONTACT_URL = "https://github.com/cijobs/cijobs#contact"
USER_AGENT = f"cijobs/0.1 (research crawler of public job adverts; +{CIJOBS_CONTACT_URL})"

# Politeness: robots.txt, one request at a time per host, about one a second, adaptive.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Robustness: time-outs and retries for transient failures (429 and 5xx).
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
# Retries wait: the server's Retry-After (capped), otherwise 2 s, 4 s, 8 s ...
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
CIJOBS_RETRY_BACKOFF = 2.0
CIJOBS_RETRY_MAX_WAIT = 300.0
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024

ITEM_PIPELINES = {"crawler.pipelines.WarehousePipeline": 500}

# The warehouse file to load into (set by `cijobs crawl --db`).
CIJOBS_DB = str(DEFAULT_WAREHOUSE)
# A crawl fails loudly when more than this share of advert pages cannot be parsed.
CIJOBS_MAX_PARSE_ERROR_RATE = 0.2
# No search is followed past this many pages, whatever the site says its total is (100 adverts a page on
# the API: 50,000 adverts, about four times the whole NHS Jobs board). Reaching it is a discovery error.
CIJOBS_SEARCH_PAGE_LIMIT = 500
# A query that lists more than this share fewer adverts than in the last run (of at least the minimum) closes
# nothing that run: a board showing 2 of 38 adverts for a night must not close 36.
CIJOBS_MAX_LISTING_DROP = 0.5
CIJOBS_MIN_LISTING_FOR_DROP = 5

# A page yields at most a few items (the advert, its raw page; a search page its links) and the pipeline
# stages each at once: Scrapy's 100 would start 100 asyncio workers for every response (1.5 s of CPU a
# 1,000-page crawl) to process three items.
CONCURRENT_ITEMS = 8
# Processes that scrub, parse and extract advert pages beside the engine (crawler/page_work.py); 0: in the crawl's
# own. Off by default until a full test run showed why, with a worker started, a demo stopped by SIGINT once hung.
CIJOBS_PAGE_WORKERS = 0
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# Scrapy reads each callback's source on every response to warn about a generator that returns a value (1.7 s
# of CPU a 1,000-page crawl); ours yield and return nothing, and their tests would show it.
WARN_ON_GENERATOR_RETURN_VALUE = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# Figures a crawl applies (cijobs.toml [figures]): the informatics score from which an advert counts as
# informatics, and the window in which an advert re-posted with the same text is linked to the earlier one.
CIJOBS_RELEVANCE_THRESHOLD = RELEVANCE_THRESHOLD
CIJOBS_REPOST_WINDOW_DAYS = REPOST_WINDOW_DAYS

# `scrapy check`: the spiders' sample URLs, rebased on this host when it is set (crawler/contracts.py).
SPIDER_CONTRACTS = {"scrapy.contracts.default.UrlContract": None, "crawler.contracts.RebasedUrlContract": 1}
CIJOBS_CONTRACT_BASE_URL = ""

# A crawl with a batch folder (a scrapyd job) never opens the warehouse: it writes its run there as a batch for
# `cijobs load` to merge (crawler/batches.py). Empty: the crawl loads itself into CIJOBS_DB when it closes.
CIJOBS_BATCH_DIR = ""

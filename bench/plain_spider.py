"""A plain Scrapy spider, the crawl bench's baseline: it fetches the given advert pages and keeps nothing (Scrapy's
defaults, no delay, no middlewares or pipelines of ours), so `cijobs crawl`'s overhead can be stated against it.

    .venv/bin/python -m scrapy runspider bench/plain_spider.py -a urls=FILE -s LOG_LEVEL=WARNING
"""
from __future__ import annotations

from pathlib import Path

import scrapy


class PlainSpider(scrapy.Spider):
    name = "plain"
    custom_settings = {"ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False}

    def __init__(self, urls: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = Path(urls).read_text(encoding="utf-8").split()

    def parse(self, response):
        self.crawler.stats.inc_value("plain/bytes", len(response.body))

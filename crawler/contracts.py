"""Scrapy contracts for `scrapy check`: the sample URLs of the spiders' docstrings point at the live site;
with the setting CIJOBS_CONTRACT_BASE_URL (the tests give the bundled sample board's address) they are
fetched from that host instead, so the contracts are checked offline on every `make test`."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scrapy.contracts.default import UrlContract


class RebasedUrlContract(UrlContract):
    """``@url``, on the host CIJOBS_CONTRACT_BASE_URL names when it is set."""

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = method.__self__

    def adjust_request_args(self, args: dict) -> dict:
        args = super().adjust_request_args(args)
        base = self.spider.settings.get("CIJOBS_CONTRACT_BASE_URL")
        if base:
            url, host = urlsplit(args["url"]), urlsplit(base)
            args["url"] = urlunsplit((host.scheme, host.netloc, url.path, url.query, ""))
        return args

"""Downloader middleware: retries that wait, as a polite client should."""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry for 429/5xx, but the retry waits: Retry-After when the server sends one
    (capped at ``CIJOBS_RETRY_MAX_WAIT``), otherwise exponential backoff from ``CIJOBS_RETRY_BACKOFF``."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("CIJOBS_RETRY_BACKOFF", 2.0)
        self.max_wait = settings.getfloat("CIJOBS_RETRY_MAX_WAIT", 300.0)

    def wait_for(self, request, response) -> float:
        attempt = request.meta.get("retry_times", 0)
        server_says = retry_after_seconds(response.headers.get(b"Retry-After"))
        wait = server_says if server_says is not None else self.backoff * (2 ** attempt)
        return min(wait, self.max_wait)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        wait = self.wait_for(request, response)
        if wait > 0:
            logger.info("HTTP %s from %s: retrying in %.1fs", response.status, request.url, wait)
            self.crawler.stats.inc_value("cijobs/retry_wait_seconds", wait)
            await asyncio.sleep(wait)
        return retry

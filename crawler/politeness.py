"""The Scrapy settings a per-source delay stands for, wherever the crawl runs (here or as a scrapyd job)."""
from __future__ import annotations


def delay_settings(delay: float | None) -> dict[str, object]:
    """Seconds between requests to a host; 0 turns off AutoThrottle and the randomised delay (loopback tests).
    `cijobs crawl --delay` (crawler/run.py) and scrapyd jobs both go through here."""
    if delay is None:
        return {}
    settings: dict[str, object] = {"DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_START_DELAY": max(delay, 0.01)}
    if delay == 0:
        settings.update(AUTOTHROTTLE_ENABLED=False, RANDOMIZE_DOWNLOAD_DELAY=False)
    return settings

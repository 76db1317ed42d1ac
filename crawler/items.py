"""What the spiders yield: a parsed advert, and the raw page it came from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class AdvertItem:
    """One parsed advert: the fields of the export contract plus its requirement lines."""

    advert: dict


@dataclass
class RawPageItem:
    """A fetched advert page after personal data was removed, kept so it can be re-parsed."""

    url: str
    source: str
    reference: str | None
    fetched_at: datetime
    http_status: int
    html: str
    parse_ok: bool
    parse_error: str | None = None

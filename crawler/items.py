"""What the spiders yield: parsed adverts, their raw pages, and what discovery listed."""
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


@dataclass
class ListedItem:
    """An advert that discovery listed, with the fingerprint of its listing record."""

    reference: str
    discovery_hash: str | None
    query: str | None = None  # the search that listed it (a keyword)


@dataclass
class WithdrawnItem:
    """An advert whose page answered 404/410: taken down before its closing date."""

    reference: str

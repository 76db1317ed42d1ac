"""A saved or pasted advert, read into requirement lines: an NHS Jobs advert page, a page with one schema.org
JobPosting, any other HTML, or plain text (detected). Used by `cijobs profile` and the dashboard's profiler."""
from __future__ import annotations

import re

from advert_text.extract import extract_requirements, requirements_from_text
from advert_text.html import html_to_text
from crawler.parsers.errors import ParseError
from crawler.parsers.jobposting import PostingError, find_postings, parse_page
from crawler.parsers.nhsjobs import parse_saved_page

_HTML = re.compile(r"<(html|body|p|div|li|h[1-6])[\s>]", re.I)
PROFILED_PAGE_URL = "https://profiled-page.invalid/advert"
# A search results page links many adverts: NHS Jobs result cards, or many advert links.
_RESULT_CARD = re.compile(r"data-test=[\"']search-result[\"']")
_ADVERT_LINK = re.compile(r"href=[\"'][^\"']*(?:/candidate/jobadvert/|/jobs?/|/vacanc(?:y|ies)/)[^\"']+[\"']", re.I)
LISTING_LINKS = 5


class NotOneAdvert(ValueError):
    """The document is not one advert (a search results page, a page of several adverts)."""


def refuse_listing_pages(html: str) -> None:
    cards = len(_RESULT_CARD.findall(html))
    links = len(set(_ADVERT_LINK.findall(html)))
    if cards >= 2 or links >= LISTING_LINKS:
        count = cards if cards >= 2 else links
        raise NotOneAdvert(f"this looks like a search results page listing {count} adverts, not one advert; "
                           "save the page of the advert to profile")


def looks_like_html(text: str) -> bool:
    return bool(_HTML.search(text[:5000]))


def requirements_from_document(text: str) -> list[dict]:
    """Requirements from an NHS Jobs advert page, any other HTML, or plain text (detected)."""
    if looks_like_html(text):
        refuse_listing_pages(text)
        try:
            postings = find_postings(text, PROFILED_PAGE_URL)
            if len(postings) > 1:
                raise NotOneAdvert(f"the page holds {len(postings)} job adverts (schema.org JobPosting); "
                                   "save the page of the one advert to profile")
            if postings:
                return extract_requirements(parse_page(text, PROFILED_PAGE_URL)[0])
        except PostingError as exc:
            raise NotOneAdvert(f"the page's JobPosting cannot be read: {exc}") from exc
        if 'id="heading"' in text or "id='heading'" in text:
            try:
                return extract_requirements(parse_saved_page(text))
            except ParseError:
                pass
        text = html_to_text(text)
    return requirements_from_text(text)

"""Parsers for NHS Jobs pages: the XML search API, HTML search results and advert pages.

Pure functions from text to dicts, so that ``cijobs reparse`` can run them over archived
pages with no network. Markup locations come from ``crawler.selectors``.
"""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
from parsel import Selector

from advert_text.html import block_lines, html_document
from crawler import selectors as S
from crawler.parsers.errors import ParseError
from crawler.parsers.fields import normalise_band, parse_date, parse_salary
from crawler.privacy import is_complete_page

_REFERENCE = re.compile(S.NHSJOBS_REFERENCE)
_CRITERION_ID = re.compile(S.NHSJOBS_CRITERION_ID)
_SAFE_XML = lxml.etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def advert_reference(url: str) -> str | None:
    """The path segment after /candidate/jobadvert/, whatever its shape; None when the URL is no advert link."""
    path = unquote(urlsplit(url).path)
    if S.NHSJOBS_ADVERT_PATH_PREFIX not in path:
        return None
    segment = path.split(S.NHSJOBS_ADVERT_PATH_PREFIX, 1)[1].strip("/")
    return segment if _REFERENCE.fullmatch(segment) else None


def canonical_advert_url(url: str, base_url: str) -> str:
    """The advert URL on ``base_url``'s host, without query string or fragment.

    The API returns links on beta.jobs.nhs.uk or www.jobs.nhs.uk; a crawl pointed at a mirror
    or a test server must follow them there instead.
    """
    absolute = urljoin(base_url.rstrip("/") + "/", url)
    parts = urlsplit(absolute)
    base = urlsplit(base_url)
    if parts.hostname in S.NHSJOBS_HOSTS or parts.netloc == base.netloc:
        parts = parts._replace(scheme=base.scheme, netloc=base.netloc)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _text(element) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def parse_search_xml(body: bytes) -> tuple[list[dict], int]:
    """Vacancies and the total page count from the XML search API (DTDs and entities ignored)."""
    try:
        root = lxml.etree.fromstring(body, parser=_SAFE_XML)
    except lxml.etree.XMLSyntaxError as exc:
        raise ParseError(f"search API answer is not well-formed XML ({exc})") from exc
    vacancies = []
    for node in root.iter(S.NHSJOBS_API_VACANCY):
        fields = {child.tag: (child.text or "").strip() for child in node if isinstance(child.tag, str)}
        locations = [(loc.text or "").strip() for loc in node.iter("location")]
        vacancies.append({
            "reference": fields.get("reference"),
            "url": fields.get("url"),
            "title": fields.get("title"),
            "employer": fields.get("employer"),
            "date_posted": parse_date(fields.get("postDate")),
            "closing_date": parse_date(fields.get("closeDate")),
            "locations": locations,
            "discovery_hash": listing_fingerprint(sorted(fields.items()), locations),
        })
    total_pages = root.findtext(S.NHSJOBS_API_TOTAL_PAGES)
    return vacancies, int(total_pages) if total_pages and total_pages.strip().isdigit() else 1


def listing_fingerprint(*parts) -> str:
    """A short hash of a discovery record: when it changes, the advert page is fetched again."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def parse_search_html(html: str) -> tuple[list[dict], str | None]:
    """Cards (title, advert href, fingerprint) and the next page's href from an HTML search results page."""
    page = Selector(text=html)
    cards = []
    for card in page.css(S.NHSJOBS_SEARCH_CARD):
        link = card.css(S.NHSJOBS_SEARCH_TITLE_LINK)
        href = link.attrib.get("href") if link else None
        if href:
            text = " ".join(" ".join(card.css("::text").getall()).split())
            cards.append({"url": href, "title": " ".join(link.css("::text").getall()).strip(),
                          "discovery_hash": listing_fingerprint(text)})
    return cards, page.css(S.NHSJOBS_SEARCH_NEXT).get()


_ID_SUFFIX = re.compile(r"[_-]\d+$")


class _Ids:
    """Every element of a page by id, found in one pass (first copy wins): an id may also be looked up
    without the numeric suffix some pages add ("employer_town_1")."""

    def __init__(self, document):
        self._exact: dict[str, object] = {}
        self._unsuffixed: dict[str, object] = {}
        for element in document.iter():
            element_id = element.get("id") if isinstance(element.tag, str) else None
            if element_id:
                self._exact.setdefault(element_id, element)
                self._unsuffixed.setdefault(_ID_SUFFIX.sub("", element_id), element)

    def first(self, element_ids):
        names = (element_ids,) if isinstance(element_ids, str) else element_ids
        for index in (self._exact, self._unsuffixed):
            for name in names:
                if (element := index.get(name)) is not None:
                    return element
        return None


def _ends_section(element, own_id: str) -> bool:
    """Whether a sibling after a prose wrapper belongs to the next part of the page."""
    if element.tag in S.NHSJOBS_PROSE_STOP_TAGS:
        return True
    element_id = element.get("id")
    if element_id and element_id != own_id:
        return True
    return bool(element.xpath(".//*[@id]"))


def _prose(ids: _Ids, element_id: str) -> str | None:
    """A prose block read from its wrapper to the end of its own section: paragraphs and bullets, one per line."""
    wrapper = ids.first(element_id)
    if wrapper is None:
        return None
    lines = block_lines(wrapper)
    for sibling in wrapper.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if _ends_section(sibling, element_id):
            break
        lines += block_lines(sibling)
    return "\n".join(lines) or None


def _after_heading(ids: _Ids, heading_id: str) -> str | None:
    """The text of the element that follows a heading (the working pattern, an unlabelled salary)."""
    heading = ids.first(heading_id)
    if heading is None:
        return None
    following = next((e for e in heading.itersiblings() if isinstance(e.tag, str)), None)  # not a comment
    return _text(following) or None if following is not None else None


def _person_specification(document, ids: _Ids) -> list[dict]:
    """Criteria as (category, level, text), each criterion once although the block is rendered twice."""
    found: dict[tuple[int, int, int], dict] = {}
    for item in document.xpath("//li[@id]"):
        match = _CRITERION_ID.match(item.get("id"))
        if not match:
            continue
        level, category_no, criterion_no = match.group(1), int(match.group(2)), int(match.group(3))
        key = (category_no, 0 if level == "essential" else 1, criterion_no)
        if key in found:
            continue
        category = ids.first(S.NHSJOBS_CATEGORY_ID.format(n=category_no))
        text = _text(item)
        if text:
            found[key] = {"category": _text(category) or None, "level": level, "text": text}
    return [found[key] for key in sorted(found)]


def parse_advert(html: str, url: str, document=None) -> dict:
    """Every field of an advert page. Raises ParseError when required fields are missing.

    ``document``: the page already parsed (``scrub_page_and_tree``'s tree of this ``html``), not parsed again."""
    reference = advert_reference(url)
    if reference is None:
        raise ParseError(f"{url}: no advert reference in the URL")
    return _parse_page(html, url, reference, document)


def parse_saved_page(html: str) -> dict:
    """An advert page a user saved, whose URL is not known (`cijobs profile`): its reference and URL are None."""
    return _parse_page(html, None, None)


def _parse_page(html: str, url: str | None, reference: str | None, document=None) -> dict:
    url_or_page = url or "the saved page"
    if document is None:
        document = html_document(html)
    if document is None:
        raise ParseError(f"{url_or_page}: the page is empty")
    if not is_complete_page(html):
        raise ParseError(f"{url_or_page}: page is truncated (no closing </html>)")
    ids = _Ids(document)
    fields = {name: _text(ids.first(element_ids)) or None for name, element_ids in S.NHSJOBS_ADVERT_IDS.items()}
    missing = [name for name in S.NHSJOBS_REQUIRED_FIELDS if not fields.get(name)]
    if missing:
        raise ParseError(f"{url_or_page}: required field(s) missing: {', '.join(missing)} (markup changed?)")
    salary_text = (next((t for i in S.NHSJOBS_SALARY_IDS if (t := _text(ids.first(i)))), None)
                   or _after_heading(ids, S.NHSJOBS_SALARY_HEADING))
    salary_min, salary_max, salary_period = parse_salary(salary_text)
    advert = {
        "source": "nhsjobs",
        "reference": reference,
        "url": url,
        "title": fields["title"],
        "employer": fields["employer"],
        "town": fields["town"],
        "postcode": fields["postcode"],
        "band": normalise_band(fields["band"]),
        "pay_scheme": fields["pay_scheme"],
        "salary_text": salary_text,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "salary_period": salary_period,
        "contract_type": fields["contract_type"],
        "contract_duration": fields["contract_duration"],
        "working_pattern": _after_heading(ids, S.NHSJOBS_WORKING_PATTERN_HEADING),
        "staff_group": None,
        "date_posted": parse_date(fields["date_posted"]),
        "closing_date": parse_date(fields["closing_date"]),
        "person_specification": _person_specification(document, ids),
    }
    for name, element_id in S.NHSJOBS_PROSE_IDS.items():
        advert[name] = _prose(ids, element_id)
    return advert

"""Parser for any page that embeds schema.org JobPosting, as JSON-LD or microdata (read with extruct).

Pure functions from (html, url) to advert dicts of the same shape as the NHS Jobs parser's, so the
same enrichment and warehouse load apply. Property names are schema.org's and are data below; a
posting without one of Google's required properties is a parse error, a page with no posting is
not (it is a listing page).
"""
from __future__ import annotations

import hashlib
import html as html_entities
import re
from urllib.parse import urlsplit

import extruct
import lxml.html
from extruct.jsonld import JsonLdExtractor
from w3lib.url import canonicalize_url

from advert_text.html import block_lines, html_document
from advert_text.normalise import sentences
from advert_text.sections import sectioned_lines
from crawler.parsers.errors import ParseError
from crawler.parsers.fields import guess_period, normalise_band, parse_date, parse_salary
from crawler.privacy import is_complete_page, redact_text

SOURCE = "jobposting"
POSTING_TYPE = "JobPosting"
JSONLD_SCRIPTS = "//script[@type='application/ld+json']"

# Google's required properties (developers.google.com/search/docs/appearance/structured-data/job-posting);
# the location may instead be applicantLocationRequirements with jobLocationType TELECOMMUTE.
REQUIRED = ("title", "description", "datePosted", "hiringOrganization")
REMOTE_LOCATION_TYPE = "TELECOMMUTE"

# Person-specification properties -> the category their criteria are filed under (all "essential").
PERSON_SPECIFICATION = {
    "qualifications": "Qualifications",
    "educationRequirements": "Education",
    "experienceRequirements": "Experience",
    "skills": "Skills",
}
PERSON_SPECIFICATION_LEVEL = "essential"
# Properties whose comma-separated lines of short items ("SQL, Python, Power BI") are several criteria.
COMMA_LISTS = ("skills",)
COMMA_ITEM_MAX_WORDS = 4

SALARY_UNITS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year"}
SALARY_CURRENCY = "GBP"  # amounts in another currency are not stored
# employmentType values -> (advert field, wording); values not listed here are kept as the contract type.
EMPLOYMENT_TYPES = {
    "FULL_TIME": ("working_pattern", "Full time"),
    "PART_TIME": ("working_pattern", "Part time"),
    "CONTRACTOR": ("contract_type", "Contract"),
    "TEMPORARY": ("contract_type", "Temporary"),
    "INTERN": ("contract_type", "Internship"),
    "VOLUNTEER": ("contract_type", "Voluntary"),
    "PER_DIEM": ("contract_type", "Per diem"),
    "OTHER": ("contract_type", None),
}
ESCAPE_LEVELS = 3
_JSONLD = JsonLdExtractor()
_TAG = re.compile(r"<[A-Za-z/][^>]*>")
_UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never text; lxml refuses them


class PostingError(ParseError):
    """A page whose JobPosting cannot be used; ``reference`` still names it, for the raw-page archive."""

    def __init__(self, message: str, reference: str | None):
        super().__init__(message)
        self.reference = reference


# --- finding postings -------------------------------------------------------------------------------


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _types(node: dict) -> set[str]:
    """'JobPosting' from '@type' given as 'JobPosting', 'schema:JobPosting', a schema.org IRI or a list."""
    return {str(t).rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in _as_list(node.get("@type"))}


def _nodes(items) -> list[dict]:
    """Top-level JSON-LD nodes, with the members of every ``@graph`` lifted out."""
    found = []
    for item in _as_list(items):
        if isinstance(item, list):
            found.extend(_nodes(item))
        elif isinstance(item, dict):
            found.append(item)
            found.extend(_nodes(item.get("@graph")))
    return found


def _jsonld_nodes(document, reference: str) -> list[dict]:
    """Every script separately, so that one broken block (a breadcrumb, say) loses only itself."""
    nodes = []
    for script in document.xpath(JSONLD_SCRIPTS):
        try:
            nodes.extend(_nodes(_JSONLD.extract_items(script)))
        except ValueError as exc:
            if POSTING_TYPE in script.text_content():
                message = f"a JSON-LD block with a {POSTING_TYPE} is not valid JSON ({exc})"
                raise PostingError(message, reference) from exc
    return nodes


def _dereference(value, by_id: dict[str, dict]):
    """``{"@id": ...}`` stands for the node of that id elsewhere on the page (common in ``@graph``)."""
    if isinstance(value, list):
        return [_dereference(item, by_id) for item in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return by_id.get(value["@id"], value)
    return value


def find_postings(html: str, url: str) -> list[dict]:
    """The page's JobPosting nodes: JSON-LD if it has any, otherwise microdata (the same posting is
    often given both ways, and JSON-LD is the fuller one)."""
    document = html_document(html)
    if document is None:
        return []
    nodes = _jsonld_nodes(document, url_reference(canonical_url(url)))
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str) and len(node) > 1}
    postings = [{key: _dereference(value, by_id) for key, value in node.items()}
                for node in nodes if POSTING_TYPE in _types(node)]
    if not postings:
        try:
            microdata = extruct.extract(document, base_url=url, syntaxes=["microdata"], uniform=True)["microdata"]
        except ValueError as exc:  # extruct gives up on an itemtype that is not a URL ("http://[schema.org")
            raise PostingError(f"{url}: unreadable microdata ({exc})", url_reference(canonical_url(url))) from exc
        postings = [node for node in microdata if POSTING_TYPE in _types(node)]
    return postings


# --- values -----------------------------------------------------------------------------------------


def _first(value):
    return next((item for item in _as_list(value) if item not in (None, "", [], {})), None)


def _lines(value) -> list[str]:
    """Paragraphs and list items, one per line, from text that may be HTML (or HTML escaped twice)."""
    if not isinstance(value, str) or not value.strip():
        return []
    value = _CONTROL_CHARS.sub(" ", value)
    for _ in range(ESCAPE_LEVELS):  # boards escape description HTML once or twice ("&amp;lt;p&amp;gt;")
        if _TAG.search(value) or "&lt;" not in value and "&amp;" not in value:
            break
        value = html_entities.unescape(value)
    if _TAG.search(value):
        value = "\n".join(block_lines(lxml.html.fragment_fromstring(value, create_parent="div")))
    else:
        value = html_entities.unescape(value)
    lines = (" ".join(line.split()) for line in redact_text(value).splitlines())
    return [line for line in lines if line]


def _text(value) -> str | None:
    """One short value (a title, a name) as plain text."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, (int, float)):
        value = str(value)
    return " ".join(_lines(value)) or None


def _number(value) -> float | None:
    value = _first(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.replace(",", "").replace("£", "").strip().lower()
        thousands = text.endswith("k")  # "50k", as recruiters write it
        try:
            return float(text.removesuffix("k")) * (1000 if thousands else 1)
        except ValueError:
            return None
    return None


def _present(value) -> bool:
    value = _first(value)
    return bool(value.strip()) if isinstance(value, str) else value is not None


# --- fields -----------------------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """The URL with its query sorted and fragment dropped, so one page always hashes the same."""
    return canonicalize_url(url, keep_fragments=False)


def url_reference(canonical: str, position: int = 0) -> str:
    """The reference of a posting without an identifier: a hash of its page URL (and place on the page)."""
    key = canonical if position == 0 else f"{canonical}#{position}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def posting_reference(posting: dict, canonical: str, position: int = 0) -> str:
    """The board's own identifier, prefixed with its host name: every board shares the one source
    ``jobposting``, so two boards' "1234" must not collide."""
    identifier = _first(posting.get("identifier"))
    if isinstance(identifier, dict):
        identifier = identifier.get("value") or identifier.get("@value")
    identifier = _text(identifier)
    return f"{urlsplit(canonical).hostname}:{identifier}" if identifier else url_reference(canonical, position)


def missing_properties(posting: dict) -> list[str]:
    """Google's required properties this posting lacks (an organisation must at least have a name)."""
    missing = [name for name in REQUIRED if not _present(posting.get(name))]
    if "hiringOrganization" not in missing and not _text(posting.get("hiringOrganization")):
        missing.append("hiringOrganization.name")
    remote = REMOTE_LOCATION_TYPE in {str(t).upper() for t in _as_list(posting.get("jobLocationType"))}
    if not _present(posting.get("jobLocation")):
        if not remote:
            missing.append(f"jobLocation (or applicantLocationRequirements with jobLocationType "
                           f"{REMOTE_LOCATION_TYPE})")
        elif not _present(posting.get("applicantLocationRequirements")):
            missing.append("applicantLocationRequirements")
    return missing


def _address(posting: dict) -> tuple[str | None, str | None]:
    """(town, postcode) of the first location: from a PostalAddress, or from an address written as text
    ("1 Park Row, Leeds, LS1 5AB"), which many boards give instead."""
    place = _first(posting.get("jobLocation"))
    address = _first(place.get("address")) if isinstance(place, dict) else place
    if isinstance(address, dict):
        return _text(address.get("addressLocality")), _text(address.get("postalCode"))
    if not isinstance(address, str):
        return None, None
    parts = [part.strip() for part in address.split(",") if part.strip()]
    postcode = next((m.group(0).upper() for part in parts if (m := _UK_POSTCODE.search(part))), None)
    towns = [town for part in parts if (town := _UK_POSTCODE.sub("", part).strip())]
    return (towns[-1] if towns else None), postcode


def salary_text(value) -> str | None:
    """The salary as the advert shows it: baseSalary given as text, or the text a MonetaryAmount or its
    QuantitativeValue carries in ``value``, ``description`` or ``name`` ("£13.50 - £17.00", "Competitive")."""
    value = _first(value)
    for node in (value, value.get("value") if isinstance(value, dict) else None):
        if isinstance(node, str) and _number(node) is None:
            return _text(node)
        if isinstance(node, dict):
            for key in ("value", "description", "name"):
                text = node.get(key)
                if isinstance(text, str) and text.strip() and _number(text) is None:
                    return _text(text)
    return None


def salary(value) -> tuple[float | None, float | None, str | None]:
    """(min, max, period) from baseSalary. Amounts written in its text win, with the period the text
    states ("£13 - £17 per hour"): boards often file an hourly rate under unitText YEAR, or annualise it.
    Otherwise the structured MonetaryAmount (a QuantitativeValue or a number) and its unitText."""
    text = salary_text(value)
    if text and (from_text := parse_salary(text))[0] is not None:
        return from_text
    value = _first(value)
    if not isinstance(value, dict):
        amount = _number(value)
        return amount, amount, guess_period(amount)
    currency = _text(value.get("currency"))
    if currency and currency.upper() != SALARY_CURRENCY:
        return None, None, None
    amount = _first(value.get("value"))
    unit = value.get("unitText")
    if isinstance(amount, dict):
        single = _number(amount.get("value"))
        low = _number(amount.get("minValue")) or single
        high = _number(amount.get("maxValue")) or single or low
        unit = amount.get("unitText") or unit
    else:
        low = high = _number(amount)
    amounts = [a for a in (low, high) if a is not None]
    if not amounts:
        return None, None, None
    low, high = min(amounts), max(amounts)
    period = SALARY_UNITS.get((_text(unit) or "").upper()) or guess_period(high)
    return low, high, period


def employment(value) -> dict[str, str | None]:
    """contract_type and working_pattern from employmentType (a list, or one comma-separated string)."""
    found: dict[str, list[str]] = {"contract_type": [], "working_pattern": []}
    for item in _as_list(value):
        for raw in str(item).split(","):
            key = re.sub(r"[\s-]+", "_", raw.strip()).upper()
            if not key:
                continue
            field, wording = EMPLOYMENT_TYPES.get(key, ("contract_type", raw.strip()))
            if wording and wording not in found[field]:
                found[field].append(wording)
    return {field: ", ".join(words) or None for field, words in found.items()}


def _describe(item: dict):
    """The text of a structured requirement: a credential, an experience requirement, a defined term."""
    text = _text(item.get("name")) or _text(item.get("description"))
    if text:
        return text
    months = _number(item.get("monthsOfExperience"))
    if months:
        if months % 12 == 0:
            years = int(months // 12)
            return f"At least {years} year{'s' if years > 1 else ''} of experience"
        return f"At least {months:g} months of experience"
    category = _text(item.get("credentialCategory"))
    return category[:1].upper() + category[1:] if category else None


def _items(value, comma_list: bool = False) -> list[str]:
    """Criteria or duties: list items, lines, bullets and sentences of a property's values."""
    items = []
    for value_item in _as_list(value):
        if isinstance(value_item, dict):
            value_item = _describe(value_item)
        for line in _lines(value_item):
            for sentence in sentences(line):
                parts = [p.strip() for p in sentence.split(",")]
                if comma_list and len(parts) > 2 and all(len(p.split()) <= COMMA_ITEM_MAX_WORDS for p in parts):
                    items.extend(re.sub(r"^(?:and|or)\s+", "", p) for p in parts if p)
                else:
                    items.append(sentence)
    return list(dict.fromkeys(items))


def person_specification(posting: dict) -> list[dict]:
    return [
        {"category": category, "level": PERSON_SPECIFICATION_LEVEL, "text": text}
        for name, category in PERSON_SPECIFICATION.items()
        for text in _items(posting.get(name), comma_list=name in COMMA_LISTS)
    ]


def _description(posting: dict) -> dict:
    """The description's lines by the headings written in it and their own wording (``advert_text.sections``):
    duties, criteria (with the level a heading or the line gives), "about us" (benefits, how to apply), and
    the rest (before any heading, or under a summary heading), which is the summary: none of the last two
    is read for requirements."""
    parts: dict[str | None, list] = {None: [], "summary": [], "duties": [], "person_specification": [], "about": []}
    lines = list(sectioned_lines(_lines(_first(posting.get("description")))))
    for line in lines:
        parts[line.section].append(line)
    summary = "\n".join(line.text for line in parts[None] + parts["summary"])
    duties = [line.text for line in parts["duties"]]
    criteria = [{"category": None, "level": line.level, "text": line.text} for line in parts["person_specification"]]
    band = next((found for line in lines if (found := normalise_band(line.text))), None)
    return {"summary": summary or None, "duties": "\n".join(duties) or None, "criteria": criteria,
            "about": [line.text for line in parts["about"]], "band": band}


def _advert(posting: dict, reference: str, url: str) -> dict:
    description = _description(posting)
    town, postcode = _address(posting)
    salary_min, salary_max, salary_period = salary(posting.get("baseSalary"))
    pay = salary_text(posting.get("baseSalary"))
    organisation = _first(posting.get("hiringOrganization"))
    title = _text(posting.get("title"))
    return {
        "source": SOURCE,
        "reference": reference,
        "url": url,
        "title": title,
        "employer": _text(organisation),
        "town": town,
        "postcode": postcode,
        "band": normalise_band(title) or normalise_band(pay) or description["band"],
        "pay_scheme": None,
        "salary_text": pay,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "salary_period": salary_period,
        **employment(posting.get("employmentType")),
        "contract_duration": None,
        "staff_group": None,
        "date_posted": parse_date(_text(posting.get("datePosted"))),
        "closing_date": parse_date(_text(posting.get("validThrough"))),
        "summary": description["summary"],
        "duties": description["duties"],
        "responsibilities": "\n".join(_items(posting.get("responsibilities"))) or None,
        "about_organisation": "\n".join(description["about"] + (_lines(organisation.get("description"))
                                                                 if isinstance(organisation, dict) else [])) or None,
        "person_specification": person_specification(posting) + description["criteria"],
    }


# --- pages ------------------------------------------------------------------------------------------


def parse_page(html: str, url: str) -> list[dict]:
    """Every JobPosting on the page as an advert; [] for a page with none (a listing page).

    Raises ``PostingError`` (a ``ParseError``) when the page is truncated or a posting lacks a
    required property; the error names the missing properties.
    """
    postings = find_postings(html, url)
    if not postings:
        return []
    canonical = canonical_url(url)
    references = [posting_reference(posting, canonical, i) for i, posting in enumerate(postings)]
    if not is_complete_page(html):
        raise PostingError(f"{url}: page is truncated (no closing </html>)", references[0])
    adverts = {}
    for posting, reference in zip(postings, references):
        missing = missing_properties(posting)
        if missing:
            raise PostingError(f"{url}: {POSTING_TYPE} {reference} lacks required properties: "
                               f"{', '.join(missing)}", reference)
        adverts.setdefault(reference, _advert(posting, reference, canonical))
    return list(adverts.values())


def parse_advert(html: str, url: str) -> dict:
    """The page's (first) advert, for re-parsing an archived advert page; ParseError if it has none."""
    adverts = parse_page(html, url)
    if not adverts:
        raise PostingError(f"{url}: no schema.org {POSTING_TYPE} on the page", None)
    return adverts[0]

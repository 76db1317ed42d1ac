"""A role's competency profile: an advert (plain text or a saved NHS Jobs page) → requirements,
their competencies, and the share of requirement lines per domain and subdomain."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from matching.extract import MIN_LINE_CHARS, extract_requirements, is_boilerplate, split_lines
from matching.matcher import Matcher
from matching.sections import criterion_level, heading_of, sectioned_lines

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


def html_to_text(html: str) -> str:
    """Visible text with one line per block element."""
    from crawler.parsers.document import html_document

    document = html_document(html)
    if document is None:
        return ""
    for bad in document.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for block in document.xpath("//p|//li|//h1|//h2|//h3|//h4|//br|//div|//tr"):
        block.tail = "\n" + (block.tail or "")
    return document.text_content()


def requirement_kind(requirement: dict) -> str:
    """How a profile table labels a line: its level, "duty", or nothing for unsectioned text."""
    return requirement.get("level") or ("duty" if requirement.get("section") == "duties" else "")


# The lines a pasted advert starts with that are not requirements: its title (a short line before anything
# else) and a details line such as "Band 6 | Northshire NHS Trust | Leeds".
_DETAILS_LINE = re.compile(r"^[^|]{1,80}(\|[^|]{1,80}){1,}$")
TITLE_MAX_WORDS = 8
NOT_REQUIREMENTS = ("about", "summary")


def requirements_from_text(text: str) -> list[dict]:
    """Requirement lines from plain advert text. Headings set the section ('Essential' / 'Desirable' also
    the level; see ``matching.sections``); lines before any heading are section "text". The advert's title,
    details lines, summary and "about us" are not requirements."""
    rows = []
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _looks_like_title(lines[first]) and _has_headings(lines[first + 1:]):
        lines = lines[first + 1:]
    for line in sectioned_lines(line for line in lines if not _DETAILS_LINE.match(line.strip())):
        if line.section in NOT_REQUIREMENTS:
            continue
        # Under an Essential/Desirable heading a criterion can be one word ("PRINCE2", "SQL").
        for part in split_lines(line.text, min_chars=2 if line.level else MIN_LINE_CHARS):
            if not is_boilerplate(part):
                rows.append({"section": line.section or "text", "category": None, "level": line.level, "text": part})
    return rows


def _looks_like_title(line: str) -> bool:
    """A short first line with no sentence in it and no heading or criterion wording: the job title."""
    line = line.strip()
    return (len(line.split()) <= TITLE_MAX_WORDS and not line.endswith((".", ":", "?")) and heading_of(line) is None
            and criterion_level(line) is None and _LEVEL_WORD.search(line) is None)


def _has_headings(lines: list[str]) -> bool:
    """Whether the text is a structured advert (a bare list of skills has no title to leave out)."""
    return any(heading_of(line) for line in lines)


_LEVEL_WORD = re.compile(r"\b(essential|desirable)\b|[(\[](e|d)[)\]]", re.I)


def requirements_from_document(text: str) -> list[dict]:
    """Requirements from an NHS Jobs advert page, any other HTML, or plain text (detected)."""
    if looks_like_html(text):
        refuse_listing_pages(text)
        from crawler.parsers.jobposting import PostingError, find_postings, parse_page

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
            from crawler.parsers.errors import ParseError
            from crawler.parsers.nhsjobs import parse_saved_page

            try:
                return extract_requirements(parse_saved_page(text))
            except ParseError:
                pass
        text = html_to_text(text)
    return requirements_from_text(text)


@dataclass
class Profile:
    requirements: list[dict]
    domains: list[dict]
    subdomains: list[dict]

    def as_dict(self) -> dict:
        return {"requirements": self.requirements, "domains": self.domains, "subdomains": self.subdomains}


def profile_requirements(requirements: list[dict], matcher: Matcher) -> Profile:
    """Match each requirement; a domain's share is the share of matched lines that touch it."""
    results = matcher.match_lines([r["text"] for r in requirements])
    framework = matcher.framework
    domain_lines: Counter[str] = Counter()
    subdomain_lines: Counter[str] = Counter()
    rows = []
    for requirement, found in zip(requirements, results):
        competencies = [{"id": m.competency_id, "score": m.score, "evidence": m.evidence} for m in found]
        domains = matcher.domains_of(found)
        subdomains = sorted({framework.competency(m.competency_id).subdomain_id for m in found})
        domain_lines.update(domains)
        subdomain_lines.update(subdomains)
        rows.append({**requirement, "competencies": competencies, "domains": domains})
    matched = sum(1 for r in rows if r["competencies"]) or 1
    domains = [{"id": d.id, "title": d.title, "lines": domain_lines[d.id], "share": domain_lines[d.id] / matched}
               for d in framework.domains]
    subdomains = [{"id": s.id, "title": s.title, "lines": subdomain_lines[s.id],
                   "share": subdomain_lines[s.id] / matched}
                  for s in framework.subdomains if subdomain_lines[s.id]]
    return Profile(rows, domains, subdomains)


# rapidfuzz token_set_ratio of two job titles ("Clinical Safety Officer" ~ "Lead Clinical Safety Officer")
SIMILAR_TITLE_SCORE = 70
MAX_PEERS = 200


def similar_titles(title: str, titles: list[str]) -> list[str]:
    """The titles (of informatics adverts in the warehouse) that resemble a job title, for comparing one
    advert with its peers."""
    from rapidfuzz import fuzz, process

    if not title.strip():
        return []
    return sorted(match for match, _score, _ in process.extract(
        title, titles, scorer=fuzz.token_set_ratio, score_cutoff=SIMILAR_TITLE_SCORE, limit=MAX_PEERS))


def market_comparison(advert_competencies: set[str], peer_shares: dict[str, float], *, rare_below: float = 0.2,
                      common_from: float = 0.5) -> dict[str, list[tuple[str, float]]]:
    """What an advert asks that its peers rarely do, and what most peers ask that it omits.

    ``peer_shares``: competency id -> share of similar adverts needing it.
    """
    unusual = sorted(((c, peer_shares.get(c, 0.0)) for c in advert_competencies
                      if peer_shares.get(c, 0.0) < rare_below), key=lambda item: item[1])
    missing = sorted(((c, share) for c, share in peer_shares.items()
                      if share >= common_from and c not in advert_competencies), key=lambda item: -item[1])
    return {"unusual": unusual, "missing": missing}

"""From an advert to requirement lines: person-specification criteria, then duty-sized lines.

Boilerplate (equal opportunities, DBS, right to work, pensions, how to apply, ...) never
becomes a requirement, and the employer's "about us" text is never read at all, neither the
advert's own block nor what a job description puts under such a heading.
"""
from __future__ import annotations

import re

from advert_text.normalise import sentences, squash_whitespace
from advert_text.sections import criterion_level, heading_of, sectioned_lines

BOILERPLATE_PATTERNS = [
    r"\bdbs\b", r"disclosure and barring", r"equal opportunit", r"equality,? diversity",
    r"\bdiversity\b.*\binclusion\b",
    r"right to work", r"\bvisa\b", r"sponsorship", r"\bpension", r"annual leave", r"\bholiday", r"salary sacrifice",
    r"disability confident", r"how to apply", r"application form",
    # applying, not "the successful applicant will have experience of..."
    r"applicants? (must|should|will|are)(?!.*\b(experience|knowledge|skill|abilit|able to|demonstrat|understanding|"
    r"qualifi|proficien|expertise))",
    r"supporting (statement|information)", r"closing date", r"shortlist",
    # the interview as a step of applying, not interviewing as a skill ("user research interviews")
    r"\binterviews? (will|are|is|to be|date)", r"\b(an|for|at|to) interview\b",
    r"informal (chat|discussion|enquir)", r"please contact", r"for further (information|details)",
    r"\bnhs discounts?\b", r"\bcar parking\b", r"\bcycle to work\b", r"flexible benefits", r"\bwelcome applications\b",
    r"trust values", r"our values", r"\bsmoke[- ]free\b", r"\bvaccinat", r"occupational health clearance",
    r"driving licen[cs]e", r"\bsafeguarding policy\b", r"\bcommitted to\b.*\b(staff|employees|workforce)\b",
    # the clauses every NHS job description carries: obeying policies, mandatory training, "other duties"
    r"\b(comply|complies|complying|compliance|adhere|abide)\w*\b.{0,60}\b(trust|organisation|organisational|"
    r"trust's|organisation's|company|all|relevant)\b.{0,20}\b(policies|procedures)\b",
    r"\ball (staff|employees|post ?holders)\b.{0,30}\b(must|are (required|expected)|will be (required|expected)|"
    r"have an? (duty|responsibility))\b",
    r"\b(complete|attend|undertake|participate)\w*\b.{0,40}\b(mandatory|statutory|annual)\b.{0,40}\btraining\b",
    r"\bother (duties|reasonable tasks|tasks)\b.{0,80}\b(grade|band|banding|commensurate|as required|line manager|"
    r"reasonabl)",
]
_BOILERPLATE = re.compile("|".join(BOILERPLATE_PATTERNS), re.IGNORECASE)
# A sentence about the employer or the team ("We carry out 300 procedures a day", "The team supports
# 12,000 staff") asks nothing of the post-holder, unless it also speaks of them or of what they need ("We
# are looking for someone who...", "We use open-source systems, requiring experience in Python").
EMPLOYER_SUBJECT = (r"^(we|our|the (trust|team|department|service|organisation|directorate|unit|division|hospital|"
                    r"board)|this (team|service|department|trust))\b")
POST_HOLDER = (r"\b(you|your|post ?holders?|candidates?|applicants?|individual|someone|person|looking for|seeking|"
               r"recruit|experience|knowledge|skills?|expertise|proficien)")
# Every rule that decides whether a line is a requirement (part of the matcher version).
BOILERPLATE_RULES = (*BOILERPLATE_PATTERNS, EMPLOYER_SUBJECT, POST_HOLDER)
_EMPLOYER_SUBJECT = re.compile(EMPLOYER_SUBJECT, re.IGNORECASE)
_POST_HOLDER = re.compile(POST_HOLDER, re.IGNORECASE)
MIN_LINE_CHARS = 12
MAX_LINE_CHARS = 400

DUTY_SECTIONS = ("duties", "responsibilities")


def is_boilerplate(line: str) -> bool:
    """Whether a line is never a requirement: standard clauses, applying, or prose about the employer."""
    if _BOILERPLATE.search(line):
        return True
    return bool(_EMPLOYER_SUBJECT.search(line.lstrip())) and not _POST_HOLDER.search(line)


def split_lines(prose: str | None, min_chars: int = MIN_LINE_CHARS) -> list[str]:
    """Bullet- or sentence-sized lines from a block of prose (shorter than ``min_chars`` dropped)."""
    if not prose:
        return []
    return [sentence for paragraph in prose.splitlines() for sentence in sentences(paragraph)
            if min_chars <= len(sentence) <= MAX_LINE_CHARS]


def extract_requirements(advert: dict) -> list[dict]:
    """Requirement rows ({section, category, level, text}) in advert order, boilerplate left out."""
    rows = []
    for criterion in advert.get("person_specification") or []:
        text = squash_whitespace(criterion.get("text") or "")
        if text and not is_boilerplate(text):
            rows.append({"section": "person_specification", "category": criterion.get("category"),
                         "level": criterion.get("level"), "text": text})
    for section in DUTY_SECTIONS:
        for line in split_lines(_without_about_sections(advert.get(section))):
            if not is_boilerplate(line):
                rows.append({"section": section, "category": None, "level": None, "text": line})
    return rows


def _without_about_sections(prose: str | None) -> str:
    """Duty prose without its own headings and without what it puts under an "About us", "Benefits" or
    "How to apply" heading (NHS Jobs job descriptions often carry those)."""
    return "\n".join(line.text for line in sectioned_lines((prose or "").splitlines()) if line.section != "about")


# The lines a pasted advert starts with that are not requirements: its title (a short line before anything
# else) and a details line such as "Band 6 | Northshire NHS Trust | Leeds".
_DETAILS_LINE = re.compile(r"^[^|]{1,80}(\|[^|]{1,80}){1,}$")
TITLE_MAX_WORDS = 8
NOT_REQUIREMENTS = ("about", "summary")


def requirements_from_text(text: str) -> list[dict]:
    """Requirement lines from plain advert text. Headings set the section ('Essential' / 'Desirable' also
    the level; see ``advert_text.sections``); lines before any heading are section "text". The advert's title,
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

"""Which part of a free-text advert each line belongs to, from the headings written in it.

Boards that publish one description (schema.org JobPosting, pasted adverts) still write headings:
"Main duties", "Person specification", "Essential", "Desirable", "About us". A heading is never a
requirement itself; the lines under it take its section, and under "Essential" / "Desirable" its
level. A criterion may carry its own level ("Experience of SQL (E)", "ITIL Foundation (Desirable)",
"Essential: a degree in ..."). Lines before any heading have no section (``None``). The "about"
section (the employer, its benefits, how to apply) is never read for requirements, as for crawled
NHS Jobs adverts.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

LEVEL_HEADING = re.compile(r"^(essential|desirable)( (criteria|requirements|skills))?$", re.I)
# Written as adverts write them; checked against the short lines of 6,000 real 2020 NHS Jobs adverts.
SECTION_HEADINGS = {
    "person_specification": r"person spec(ification)?|selection criteria|essential (and|&) desirable criteria"
                            r"|about you|what we('re| are) looking for|who we('re| are) looking for"
                            r"|what you('ll| will) need( to succeed)?|you will have|the person|who you are"
                            r"|(skills|knowledge|qualifications),? (and|&) experience( required)?|requirements"
                            r"|the ideal candidate|what you('ll| will) bring"
                            r"|qualifications|experience|skills|knowledge( (and|&) skills)?"
                            r"|education( (and|&) training)?",
    "duties": r"(main |key |principal )?(duties|responsibilities|tasks|accountabilities)"
              r"( (and|&) (responsibilities|duties))?|job (description|purpose|summary)"
              r"|(main )?purpose of the (role|post|job)|role summary|about the (role|job|post)|the role|your role"
              r"|what you('ll| will) (do|be doing)|your day[- ]to[- ]day|duties of this (role|post) include",
    "about": r"about (us|the (trust|organisation|organization|employer|team|service|company|department))"
             r"|about your next employer|who we are|the company|(the |our )?benefits( package)?|benefit package"
             r"|salary (and|&) benefits|why [\w&' -]{2,30}(\?.*)?|who are [\w&' -]{2,30}"
             r"|what (we|[\w&' -]{2,30}) can offer( you)?|what can [\w&' -]{2,30} offer( you)?|our offer( to you)?"
             r"|what('s| is) in it for you|what you('ll| will) get|our (values|benefits)"
             r"|equality,? diversity (and|&) inclusion|how to apply|(what )?next( steps)?|interested"
             r"|(additional|more|further) (contact )?information|disclaimer|living here"
             r"|where you('ll| will) be working",
}
_SECTION_HEADING = {section: re.compile(rf"^(?:{pattern})$", re.I) for section, pattern in SECTION_HEADINGS.items()}
_DECORATION = re.compile(r"[\s:.?!…]+$")
# A level written on the criterion itself: "Essential: a degree in ...", "Wound care (Essential)",
# "ITIL Foundation (D)", "Experience of SQL - desirable".
LEVEL_PREFIX = re.compile(r"^\s*(essential|desirable)(?: criteria)?\s*[:\-–]\s*(?P<text>\S.*)$", re.I)
LEVEL_SUFFIX = re.compile(r"(?:[(\[](e|d|essential|desirable)[)\]]|\s[-–:]\s*(essential|desirable))\.?$", re.I)
SUFFIX_TAIL_CHARS = 20  # the marker is looked for in the last characters only, so a long line costs nothing
_LEVEL_LETTERS = {"e": "essential", "d": "desirable"}


@dataclass(frozen=True)
class SectionedLine:
    section: str | None      # person_specification, duties, about, or None before any heading
    level: str | None        # essential / desirable under such a heading
    text: str


def heading_of(line: str) -> tuple[str, str | None] | None:
    """(section, level) when the line is a heading, else None."""
    line = _DECORATION.sub("", " ".join(line.replace("\u2019", "'").split()))
    if not line:
        return None
    level = LEVEL_HEADING.match(line)
    if level:
        return "person_specification", level.group(1).lower()
    return next(((section, None) for section, pattern in _SECTION_HEADING.items() if pattern.match(line)), None)


def sectioned_lines(lines: Iterable[str]) -> Iterator[SectionedLine]:
    """Each line that is not a heading, with the section and level of the heading above it."""
    section, level = None, None
    for line in lines:
        heading = heading_of(line)
        if heading:
            section, level = heading
            continue
        prefixed = LEVEL_PREFIX.match(line)
        if prefixed:  # a heading and its first criterion on one line
            section, level = "person_specification", prefixed.group(1).lower()
            yield SectionedLine(section, level, prefixed.group("text"))
            continue
        marked = _level_marked(line)
        if marked:  # this criterion's own level; the lines after it keep theirs (a bare marker is dropped)
            if marked[1]:
                yield SectionedLine("person_specification", *marked)
        elif line.strip():
            yield SectionedLine(section, level, line)


def _level_marked(line: str) -> tuple[str, str] | None:
    """(level, text without the marker) for a line ending in "(Essential)", "(D)", "- desirable" ...; the
    text is empty for a line that is only a marker."""
    stripped = line.strip()
    tail = stripped[-SUFFIX_TAIL_CHARS:]
    marker = LEVEL_SUFFIX.search(tail)
    if not marker:
        return None
    text = stripped[:len(stripped) - len(tail) + marker.start()].strip()
    word = (marker.group(1) or marker.group(2)).lower()
    return _LEVEL_LETTERS.get(word, word), text

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

from advert_text.normalise import BULLET_CHARS, sentences

_CATEGORY = r"(criteria|requirements|skills|experience|qualifications?|knowledge|education|attributes|training)"
# "Essential", "Desirable criteria", "Desirable Experience", "Skills (essential)", "Essential skills and experience"
LEVEL_HEADING = re.compile(rf"^(?:(?P<level>essential|desirable)(?: {_CATEGORY}(?:,? (?:and|&) {_CATEGORY})?)?"
                           rf"|{_CATEGORY} ?[(\[-]? ?(?P<after>essential|desirable)[)\]]?)$", re.I)
# Written as adverts write them; checked against the short lines of 6,000 real 2020 NHS Jobs adverts.
SECTION_HEADINGS = {
    "person_specification": r"person spec(ification)?|selection criteria|essential (and|&) desirable criteria"
                            r"|about you|what we('re| are) looking for|who we('re| are) looking for"
                            r"|what you('ll| will) need( to succeed)?|you will have|the person|who you are"
                            r"|(skills|knowledge|qualifications),? (and|&) experience( required)?|requirements"
                            r"|the ideal candidate( will( have| be)?)?"
                            r"|what you('ll| will) bring( to [\w&' -]{2,30})?"
                            r"|required (skills|experience|qualifications)"
                            r"( (and|&) (skills|experience|qualifications))?"
                            r"|(applicants|candidates) (should|must|will) (meet|have)( the following( criteria)?)?"
                            r"|(the )?successful (candidate|applicant) will (have|be|need)"
                            r"|you (will|should) (have|need|be)"
                            r"|for the band \d[a-d]? (level|role|post)|skills required|key (skills|requirements)"
                            r"|qualifications|experience|skills|knowledge( (and|&) skills)?|(personal )?attributes"
                            r"|education( (and|&) training)?",
    "summary": r"(job )?summary|job overview|overview( of the (role|post|job))?|role summary",
    "duties": r"(main |key |principal )?(duties|responsibilities|tasks|accountabilities)( of the (job|role|post))?"
              r"( (and|&) (responsibilities|duties))?|job (description|purpose)"
              r"|(main )?purpose of the (role|post|job)|about the (role|job|post)|the role|your role"
              r"|what you('ll| will) (do|be doing)|your day[- ]to[- ]day|duties of this (role|post) include"
              r"|(in particular )?the post ?holder will( be( responsible for)?)?|(so )?what will you (do|be doing)"
              r"|the roles? (will )?includes?|(your )?(key )?responsibilities (will )?include|about the roles"
              r"|main purpose of (the )?(role|post|job)|role description"
              r"|you will be (responsible for|expected to)|the (role|post) involves",
    "about": r"about (us|the (trust|organisation|organization|employer|team|service|company|department))"
             r"|about your next employer|who we are|the company|(the |our )?benefits( package)?|benefit package"
             r"|salary (and|&) benefits|why [\w&' -]{2,30}(\?.*)?|who are [\w&' -]{2,30}"
             r"|what (we|[\w&' -]{2,30}) can offer( you)?|what can [\w&' -]{2,30} offer( you)?|our offer( to you)?"
             r"|what('s| is) in it for you|what you('ll| will) get|our (values|benefits)"
             r"|equality,? diversity (and|&) inclusion|how to apply|(what )?next( steps)?|interested"
             r"|(additional|more|further) (contact )?information|disclaimer|living here"
             r"|where you('ll| will) be working|(great |staff |your )?benefits( to you| include)?|apply( with us| now)?"
             r"|(alternative )?contact( details)?|for further (details|information)( please contact)?"
             r"|(our |the )?rewards?( package)?|working (for|at|with) [\w&' -]{2,30}|perks",
}
_SECTION_HEADING = {section: re.compile(rf"^(?:{pattern})$", re.I) for section, pattern in SECTION_HEADINGS.items()}
_DECORATION = re.compile(r"[\s:.?!…]+$")
# A level written on the criterion itself: "Essential: a degree in ...", "Wound care (Essential)",
# "ITIL Foundation (D)", "Experience of SQL - desirable".
LEVEL_PREFIX = re.compile(r"^\s*(essential|desirable)(?: criteria)?\s*[:\-–]\s*(?P<text>\S.*)$", re.I)
LEVEL_SUFFIX = re.compile(r"(?:[(\[](e|d|essential|desirable)[)\]]|\s[-–:]\s*(essential|desirable))\.?$", re.I)
# In a person specification a criterion may end in a bare E, D, Essential or Desirable, as a two-column table
# pasted as text gives it ("Experience of SQL E"); written in capitals, so "... is essential" is no marker.
LEVEL_COLUMN_SUFFIX = re.compile(r"\s(E|D|Essential|Desirable)$")
SUFFIX_TAIL_CHARS = 20  # the marker is looked for in the last characters only, so a long line costs nothing
_LEVEL_LETTERS = {"e": "essential", "d": "desirable"}

# Free-text adverts ask for things outside any heading: a sentence that asks something of the candidate is a
# criterion wherever it stands ("Experience of SQL", "You will have a degree in ...", "... would be an
# advantage"); before any heading, a sentence that says what the post-holder does is a duty. Written from
# the train split of the labelled real adverts (tests/data/real_2020_v6_labels.md).
_QUALIFIER = (r"(?:an?|the|good|strong|sound|excellent|proven|demonstrable|demonstrated|extensive|significant|"
              r"previous|relevant|recent|some|practical|working|detailed|in[- ]depth|thorough|broad|solid|clear|"
              r"advanced|basic|expert|comprehensive|specialist|high level of|up[- ]to[- ]date|substantial|wide|"
              r"professional|current|full|valid|post[- ]?graduate|educated to)")
CRITERION_START = re.compile(
    rf"^(?:{_QUALIFIER}\s+)*(?:experience[ds]?|knowledge|understanding|ability|able to|skill(?:s|ed)?|"
    r"proficien\w*|qualifi\w*|degree|registered|registration|membership|evidence of|track record|"
    r"familiarity|awareness|expertise|competen\w*|certificat\w*|diploma|master'?s|msc|bsc|phd|nvq|gcse|"
    r"a[- ]levels?|itil|prince ?2|willingness|commitment to|excellent|capable of|confident)\b", re.I)
CRITERION_PHRASE = re.compile(
    r"\b(?:you (?:will|must|should|'ll) (?:have|hold|be able|possess|bring|need|demonstrate|ideally)|"
    r"must (?:have|hold|be|possess)|(?:is|are) (?:essential|required|a requirement)|"
    r"(?:applicants|candidates) (?:must|should|will need)|"
    r"the (?:successful|ideal) (?:candidate|applicant|person|individual)s? (?:will|must|should)|"
    r"(?:looking for|seeking)\b.{0,60}\b(?:with|who (?:has|have|is|are|can|will))|"
    r"(?:post ?holder|they|he or she|individual|candidate|applicant)s? (?:should|must|will) "
    r"(?:be able|have|possess|hold)|"
    r"\brequir(?:e|es|ing)\b.{0,60}\b(?:skills?|ability|knowledge|experience|understanding|qualifications?)|"
    r"(?:essential|desirable) (?:skills|requirements|criteria|experience|qualifications)|"
    r"(?:ideally )?suits? (?:someone|a person|an individual|candidates|people))\b"
    r"|^(?:are|do|can|have) you\b.*\?$|^if you (?:have|are)\b|^(?:have|has) (?:an?|good|strong|excellent|the)\b"
    r"|^needs? to be\b", re.I)
DESIRABLE_CUE = re.compile(
    r"\b(?:desirable|ideally|would be an? (?:advantage|asset|bonus|plus)|advantageous|preferred|preferable|"
    r"beneficial|nice to have|an advantage)\b", re.I)
_DUTY_VERBS = ("lead", "manage", "provide", "support", "develop", "deliver", "ensure", "maintain", "undertake",
               "work", "act", "carry", "coordinate", "co-ordinate", "produce", "analyse", "design", "implement",
               "monitor", "oversee", "liaise", "participate", "contribute", "assist", "prepare", "review",
               "identify", "build", "create", "configure", "test", "train", "write", "collate", "respond",
               "investigate", "plan", "advise", "attend", "promote", "establish", "facilitate", "handle",
               "process", "resolve", "run", "administer", "update", "document", "report")
_VERB_FORMS = "|".join(sorted({form for verb in _DUTY_VERBS for form in
                               (verb, verb + "s", (verb[:-1] if verb.endswith("e") else verb) + "ing")},
                              key=len, reverse=True))
DUTY_START = re.compile(
    rf"^(?:you will (?!have|need|be able|ideally)|the post ?holder will (?!have|need)|(?:be |is )?responsible for|"
    rf"to [a-z]+\b|(?:{_VERB_FORMS})\b(?! (?:us|with us)\b)|(?!working (?:for|at|with) us|being)[a-z]+ing\b)", re.I)
# "As a Senior Analyst, the post holder will work ...", "The role will involve ...", "you will be responsible for"
DUTY_PHRASE = re.compile(
    r"\b(?:(?:the )?post[- ]?holders?|you|they|the (?:successful )?(?:applicant|candidate)s?|"
    r"the (?:[\w-]+ ){0,3}(?:analyst|manager|lead|officer|engineer|specialist|coordinator|administrator|developer)s?)"
    r"(?:'ll| will| would)(?: also)? (?:be (?:responsible|involved|expected|working|required to (?!have|hold))|work|"
    r"provide|lead|manage|support|oversee|deliver|develop|ensure|undertake|take|act|play|identify|join|help|use)\b"
    r"|\b(?:role|post|job|duties|day[- ]to[- ]day(?: activities)?)(?: will)?(?: also)? (?:involves?|includes?)\b"
    r"|\bresponsib(?:le|ilities) (?:for|include)\b|\byour role (?:will be|is) to\b", re.I)


# Contact and application lines belong with "about" wherever they stand: never a criterion or a duty.
CONTACT_OR_APPLYING = re.compile(
    r"\[(?:email|phone|name) removed\]|\bhow to apply\b|\bapply (?:online|now|via|through|for this)\b|\bclosing date\b"
    r"|\binterviews? (?:will|are|is|date)|\bplease (?:contact|call|email|get in touch)\b"
    r"|\bfor (?:further|more) (?:information|details)\b|\bapplication form\b|\bsupporting (?:statement|information)\b"
    r"|\bshortlist|\binformal (?:chat|discussion|enquir|visit)", re.I)


def criterion_level(sentence: str) -> str | None:
    """"essential" or "desirable" when the sentence asks something of the candidate, else None."""
    if not (CRITERION_START.match(sentence) or CRITERION_PHRASE.search(sentence)):
        return None
    return "desirable" if DESIRABLE_CUE.search(sentence) else "essential"


@dataclass(frozen=True)
class SectionedLine:
    section: str | None      # person_specification, duties, about, or None before any heading
    level: str | None        # essential / desirable under such a heading
    text: str


# A short line ending in a colon, or a short "what ... ?" question, is a heading in its own words ("The
# ideal candidate will have the following skills and experience:", "What we offer:"): its section is the one
# its words name.
LOOSE_HEADING_WORDS = 12
LOOSE_HEADINGS = (
    ("about", re.compile(r"\b(?:offer|benefits?|rewards?|perks|apply|contact|enquiries|expect from us|about us)\b",
                         re.I)),
    ("person_specification", re.compile(r"\b(?:need|skills?|experience|qualifications?|candidate|looking for|"
                                        r"about you|you will have|you'll have|bring|criteria|requirements?)\b", re.I)),
    ("duties", re.compile(r"\b(?:responsibilit\w*|duties|tasks|role|you will do|you'll do|be doing|"
                          r"post ?holder will)\b", re.I)),
)


def heading_of(line: str) -> tuple[str, str | None] | None:
    """(section, level) when the line is a heading, else None."""
    spaced = " ".join(line.replace("\u2019", "'").split())
    line = _DECORATION.sub("", spaced)
    if not line:
        return None
    level = LEVEL_HEADING.match(line)
    if level:
        return "person_specification", (level.group("level") or level.group("after")).lower()
    exact = next(((section, None) for section, pattern in _SECTION_HEADING.items() if pattern.match(line)), None)
    if exact or len(line.split()) > LOOSE_HEADING_WORDS:
        return exact
    if spaced.endswith(":") or (spaced.endswith("?") and re.match(r"(?i)(what|who)\b", line)):
        return next(((section, None) for section, words in LOOSE_HEADINGS if words.search(line)), None)
    return None


def sectioned_lines(lines: Iterable[str]) -> Iterator[SectionedLine]:
    """Each sentence of the lines that are not headings, with the section and level of the heading above
    it, or those its own wording gives (``classified``). A category heading inside a person specification
    ("Skills:", "Experience") keeps the level above it."""
    section, level = None, None
    for line in lines:
        heading = heading_of(line)
        if heading:
            keeps_level = heading == ("person_specification", None) and section == "person_specification"
            section, level = heading[0], level if keeps_level else heading[1]
            continue
        prefixed = LEVEL_PREFIX.match(line)
        if prefixed:  # a heading and its first criterion on one line
            section, level = "person_specification", prefixed.group(1).lower()
            yield from (SectionedLine(section, level, text) for text in sentences(prefixed.group("text")))
            continue
        marked = _level_marked(line, section)
        if marked:  # this criterion's own level; the lines after it keep theirs (a bare marker is dropped)
            if marked[1]:
                yield SectionedLine("person_specification", *marked)
            continue
        for sentence in sentences(line):
            yield classified(section, level, sentence)


def classified(section: str | None, level: str | None, sentence: str) -> SectionedLine:
    """A sentence under a heading (or none), with what its own wording says: a criterion outside a person
    specification, a duty before any heading or in a summary, a desirable criterion under an essential one."""
    words = sentence.lstrip(BULLET_CHARS)
    if CONTACT_OR_APPLYING.search(words):
        return SectionedLine("about", None, sentence)
    if section in (None, "duties", "summary"):
        if own_level := criterion_level(words):
            return SectionedLine("person_specification", own_level, sentence)
        if section in (None, "summary") and (DUTY_START.match(words) or DUTY_PHRASE.search(words)):
            return SectionedLine("duties", None, sentence)
    elif section == "person_specification" and level != "desirable" and DESIRABLE_CUE.search(sentence):
        return SectionedLine(section, "desirable", sentence)
    return SectionedLine(section, level, sentence)


def _level_marked(line: str, section: str | None = None) -> tuple[str, str] | None:
    """(level, text without the marker) for a line ending in "(Essential)", "(D)", "- desirable", and in a
    person specification a bare " E" / " D"; the text is empty for a line that is only a marker."""
    stripped = line.strip()
    tail = stripped[-SUFFIX_TAIL_CHARS:]
    marker = LEVEL_SUFFIX.search(tail)
    if not marker:
        column = LEVEL_COLUMN_SUFFIX.search(stripped) if section == "person_specification" else None
        if not column:
            return None
        word = column.group(1).lower()
        return _LEVEL_LETTERS.get(word, word), stripped[:column.start()].strip()
    text = stripped[:len(stripped) - len(tail) + marker.start()].strip()
    word = (marker.group(1) or marker.group(2)).lower()
    return _LEVEL_LETTERS.get(word, word), text

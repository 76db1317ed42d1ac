"""Personal data never leaves the crawler: contact blocks are dropped, emails and phones redacted.

Applied to every page before it is parsed or archived, so no table, raw page or log line holds the
contact block or any email address or phone number. Redaction works on meaning, not bytes: on the
page's text nodes, comments and attribute values, and on the string values of its JSON-LD (parsed,
redacted, re-serialised), so markup and JSON stay valid. An address split by inline tags
(``name</span>@trust.nhs.uk``), obfuscated addresses (``name [at] nhs [dot] net``, ``x AT nhs DOT
net``, a full-width ＠) and UK or international numbers with any spacing (NBSP, thin spaces, dots)
are caught. A name written in the prose is removed where a contact cue introduces it ("please
contact Dr Fofie", "Informal enquiries to Linda Coffey", "Hiring manager: JO BLOGGS"); a name the
prose mentions any other way is not recognised.
"""
from __future__ import annotations

import json
import re

import lxml.etree
import lxml.html

from advert_text.html import html_document

EMAIL_MASK = "[email removed]"
PHONE_MASK = "[phone removed]"
NAME_MASK = "[name removed]"

# --- emails -----------------------------------------------------------------------------------------
_LOCAL_CHARS = r"[A-Za-z0-9_%+'-]"
_SYMBOL_AT = r"\s*(?:@|\uff20|\ufe6b|[\[({<]\s*(?i:at)\s*[\])}>])\s*"
_SYMBOL_DOT = r"(?:\s*\.\s*|\s*[\[({<]\s*(?i:dot)\s*[\])}>]\s*|\s+(?i:dot)\s+)"
_WORD_DOT = r"(?:\.|\s*[\[({<]\s*(?i:dot)\s*[\])}>]\s*|\s+(?i:dot)\s+)"
# Written-out "at" needs a domain that ends in a known top-level label, so prose ("based at Leeds") is safe.
_TOP_LEVEL = r"(?i:uk|com|net|org|nhs|gov|ac|co|edu|io|info|scot|wales|ie|eu|us|au|nz|ca|de|fr|in|biz|me)\b"
# The local part starts where a run of its characters starts and is taken whole (possessive): otherwise
# every position of a long run (a base64 blob) is retried, and a 30 kB run takes 30 s.
_LOCAL = rf"(?<![A-Za-z0-9._%+'-]){_LOCAL_CHARS}++(?:{_WORD_DOT}{_LOCAL_CHARS}++)*+"
EMAIL = re.compile(
    rf"{_LOCAL}(?:{_SYMBOL_AT}[A-Za-z0-9-]+(?:{_SYMBOL_DOT}[A-Za-z0-9-]+)+"
    rf"|\s+(?i:at)\s+(?:[A-Za-z0-9-]+{_WORD_DOT})+{_TOP_LEVEL})"
)
# An address cut by tags in markup that is itself a string (a JSON-LD description): "sam</span>@trust.nhs.uk",
# "sam@</b>trust.nhs.uk"; and what is left of one whose local part sits in another text node: "@trust.nhs.uk".
_TAGS = r"(?:\s*(?:<[^<>]{0,80}>|&lt;.{0,80}?&gt;))*+"
EMAIL_ACROSS_TAGS = re.compile(
    rf"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]*+{_TAGS}\s*(?:@|\uff20){_TAGS}\s*[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)

# --- phones -----------------------------------------------------------------------------------------
_GAP = r"[\s\u00a0\u2007\u2009\u202f.()\-\u2010-\u2013]{0,3}"
# UK numbers: +44, 0044 or 0, then 9-10 more digits in any grouping; international: + or 00, a country
# code, then 6-12 digits. A salary ("£49,387"), a date or a reference like C9273-26-0229 does not fit.
PHONE = re.compile(
    rf"(?<![\w£$€,.])(?:"
    rf"(?:\+\s?44|0044){_GAP}(?:\(0\){_GAP})?\d(?:{_GAP}\d){{8,9}}"
    rf"|\(?0\d(?:{_GAP}\d){{8,9}}"
    rf"|(?:\+|00)\s?[1-9]\d{{0,2}}(?:{_GAP}\d){{6,12}}"
    rf")(?!\w|,\d)"
)

# --- names after a contact cue ----------------------------------------------------------------------
# "please contact Dr Fofie", "speak to Linda Coffey, Director of ...", "Name: Helen Kielty", "Contact - Jo
# Bloggs", "Informal enquiries to Prof. Ama Mensah", "Hiring manager: SEAN O'NEILL". A cue in running text
# is lower case (so the job title "Contact Centre Manager" is no cue) or a label followed by a colon or
# dash; a name without a title needs two capitalised words ("contact the HR Team" and "contact Us" stay);
# a role before the name stays ("contact Ward Manager [name removed]").
_TITLE = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sister|Rev)\.?"
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# Smith, O'Neill, McDonald, Ul-Haq, Zoë, JONES. Written so that each letter can match one way only: a
# pattern with two ways to split a run of letters backtracks exponentially on a long word that then fails.
_PARTICLE = r"(?:(?:Ó|Ní|Nic|Mac|Van|van|von|de|De|da|Da|del|Le|La|bin|al|El)\s+)?"  # Ó Súilleabháin, van der
_WORD = (rf"{_PARTICLE}(?:(?:Ma?c|O['’]|D['’])?[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}]?[{_LOWER}]+)*"
         rf"|[{_UPPER}][{_UPPER}'’-]*[{_UPPER}])(?![\w'’])")
_NOT_A_NAME = (r"(?!(?i:the|our|us|hr|human|recruitment|resourcing|medical|team|digital|it|information|clinical|"
               r"service|services|department|trust|nhs|workforce|people|ward|staffing|bank|nursing|and|or|for|on|"
               r"via|at|by|with|in)\b)")
_ROLE = r"(?:(?:Senior|Ward|Sister|Matron|Charge|Nurse|Manager|Consultant|Lead|Director|Head|Deputy)\s+)*"
_RUNNING_CUE = (r"\b(?:contact|speak to|speak with|talk to|email|e-mail|call|ring|"
                r"discuss (?:the|this) (?:role|post|job) with|(?i:please contact|enquiries to|queries to))\b:?\s+")
_LABEL_CUE = (r"\b(?i:contact(?: person| name| details)?|(?<![A-Za-z] )(?<![A-Za-z])name|(?:informal )?enquiries|"
              r"queries|(?:hiring|recruiting|line) manager)\s*[:\-–]\s*")
NAME_AFTER_CUE = re.compile(
    rf"(?P<cue>(?:{_RUNNING_CUE}|{_LABEL_CUE}){_ROLE})"
    rf"(?P<name>{_TITLE}\s+{_WORD}(?:\s+{_WORD}){{0,2}}|{_NOT_A_NAME}{_WORD}\s+{_NOT_A_NAME}{_WORD}"
    rf"(?:\s+{_NOT_A_NAME}{_WORD})?)"
)

CONTACT_BLOCK_XPATH = (
    "//*[@id='contact_details' or starts-with(@id, 'contact_details_') or @id='contact-details']"
)
JSON_SCRIPT_TYPES = ("application/ld+json", "application/json")
# Attributes that hold a location, not prose: a URL is never rewritten (a mailto:/tel: link goes whole).
URL_ATTRIBUTES = {"href", "src", "action", "srcset", "id", "class", "itemtype", "itemprop", "rel", "type"}
# Every email, phone or named contact the patterns above find holds one of these (an at sign or the word "at",
# a digit, a cue's stem), so a text without any is left alone without running them: most of a page's text nodes.
MAY_HOLD_PERSONAL = re.compile(r"[@\uff20\ufe6b\d]|(?i:\bat\b|contact|speak|talk|mail|call|ring|discuss|enquir|"
                               r"quer|name|manager)")
# The same test for ASCII text, on the text lower-cased: a case-insensitive alternation costs twice as much.
_MAY_HOLD_PERSONAL_LOWER = re.compile(r"[@\d]|\bat\b|contact|speak|talk|mail|call|ring|discuss|enquir|quer|name|"
                                      r"manager")
# The longest word of MAY_HOLD_PERSONAL: a hint that two text nodes make together lies this close to their join.
_LONGEST_HINT = len("contact")
# JSON and JavaScript string escapes: redaction runs between them, never across ("\n01632 ...").
_STRING_ESCAPE = re.compile(r"(\\u[0-9a-fA-F]{4}|\\.)")


def may_hold_personal(text: str) -> bool:
    """True unless ``text`` certainly holds no email, phone or named contact (MAY_HOLD_PERSONAL finds nothing)."""
    if text.isascii():
        return _MAY_HOLD_PERSONAL_LOWER.search(text.lower()) is not None
    return MAY_HOLD_PERSONAL.search(text) is not None


def redact_text(text: str) -> str:
    """Replace every email address, phone number and person named as a contact in ``text``."""
    if not may_hold_personal(text):
        return text
    text = EMAIL.sub(EMAIL_MASK, text)
    text = EMAIL_ACROSS_TAGS.sub(EMAIL_MASK, text)
    text = PHONE.sub(PHONE_MASK, text)
    return NAME_AFTER_CUE.sub(lambda m: m.group("cue") + NAME_MASK, text)


def redact_escaped(text: str) -> str:
    """``redact_text`` for code or broken JSON: each run between string escapes is redacted on its own,
    so an escape is never taken into a match and the text stays as parseable as it was."""
    return "".join(part if _STRING_ESCAPE.fullmatch(part) else redact_text(part)
                   for part in _STRING_ESCAPE.split(text))


def redact_json(text: str) -> str:
    """A JSON document with every string value redacted, re-serialised (``</`` kept out of scripts)."""
    try:
        data = json.loads(text, strict=False)
    except ValueError:
        return redact_escaped(text)
    return json.dumps(_redact_values(data), ensure_ascii=False).replace("</", "<\\/")


def _redact_values(value):
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [_redact_values(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_values(item) for key, item in value.items()}
    return value


def scrub_page(html: str) -> str:
    """The page without its contact block and with emails, phones and named contacts redacted.

    ``mailto:`` and ``tel:`` links go with their text. The result is re-serialised by lxml, which
    parses it back to the same tree the parsers see.
    """
    return scrub_page_and_tree(html)[0]


def scrub_page_and_tree(html: str) -> tuple[str, object | None]:
    """``scrub_page``'s result and the scrubbed lxml document it was serialised from (None where the page
    has nothing to parse), so a crawl parses each page once: parsing the result again gives the same tree."""
    complete = is_complete_page(html)
    document = html_document(html)
    if document is None:  # nothing to parse: kept as it came, and the parser will say so
        return redact_text(html), None
    for element in document.xpath(CONTACT_BLOCK_XPATH):
        element.drop_tree()
    for link in document.xpath("//a[starts-with(@href, 'mailto:') or starts-with(@href, 'tel:')]"):
        link.set("href", "#removed")
    _redact_document(document)
    serialised = lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
    if not complete:  # keep a truncated page visibly truncated, so a re-parse rejects it again
        serialised = serialised.rsplit("</body>", 1)[0]
    return serialised, document


def _redact_document(document) -> None:
    """Redact every text node, comment and prose attribute in place; JSON scripts as JSON."""
    segments = []  # (element, "text" | "tail") in reading order, for addresses split across tags
    for event, element in lxml.etree.iterwalk(document, events=("start", "end", "comment")):
        if event == "comment":
            _set_text(element, "text", redact_text(element.text or ""), element.text or "")
            if element.tail:
                segments.append((element, "tail"))
            continue
        if event == "end":
            if element.tail:
                segments.append((element, "tail"))
            continue
        _redact_attributes(element)
        if element.tag in ("script", "style"):
            if element.text:
                is_json = (element.get("type") or "").lower() in JSON_SCRIPT_TYPES
                redacted = redact_json(element.text) if is_json else redact_escaped(element.text)
                _set_text(element, "text", redacted, element.text)
        elif element.text:
            segments.append((element, "text"))
    originals = [getattr(element, side) for element, side in segments]
    texts = list(originals)
    hints = _redact_across_segments(texts)
    for (element, side), before, text, hint in zip(segments, originals, texts, hints):
        if hint or text is not before:  # a text without a hint, left whole, has nothing to redact
            _set_text(element, side, redact_text(text), before)


def _set_text(element, side: str, text: str, was: str) -> None:
    """Set a text or tail that redaction changed (most do not: setting costs a copy into the tree)."""
    if text != was:
        setattr(element, side, text)


def _redact_attributes(element) -> None:
    """Redact an element's prose attributes in place. lxml reads attribute names it cannot write back (a template
    left in the page: ``<div {{attrs}}>``); such an attribute is dropped only when its value must change."""
    changed = {name: redacted for name, value in element.attrib.items()
               if name not in URL_ATTRIBUTES and (redacted := redact_text(value)) != value}
    if not changed:
        return
    try:
        for name, redacted in changed.items():
            element.set(name, redacted)
    except ValueError:
        kept = [(name, changed.get(name, value)) for name, value in element.attrib.items()]
        element.attrib.clear()
        for name, value in kept:
            try:
                element.set(name, value)
            except ValueError:
                continue  # an unwritable name whose value held personal data: the attribute goes


def _redact_across_segments(texts: list[str]) -> list[bool]:
    """An address or number that two neighbouring text nodes share ("sam</span>@trust.nhs.uk",
    "<b>01632</b> 960456") is cut out of both. Returns which of the texts, as they came, may hold personal data."""
    hints = [may_hold_personal(text) for text in texts]
    for index in range(1, len(texts)):
        before, after = texts[index - 1], texts[index]
        # Nothing to find unless either node holds a hint or the two make one where they meet ("con" "tact").
        if not (hints[index - 1] or hints[index]
                or may_hold_personal(before[-_LONGEST_HINT:] + after[:_LONGEST_HINT])):
            continue
        head, tail = before[-80:], after[:160]
        joined = head + tail
        for pattern, mask in ((EMAIL, EMAIL_MASK), (PHONE, PHONE_MASK)):
            match = next((m for m in pattern.finditer(joined) if m.start() < len(head) < m.end()), None)
            if match:
                cut_before = len(before) - len(head) + match.start()
                texts[index - 1] = before[:cut_before] + mask
                texts[index] = after[match.end() - len(head):]
                break
    return hints


def is_complete_page(html: str) -> bool:
    """False for a page cut off in transfer: it never reached its closing ``</html>``."""
    return "</html>" in html[-2000:].lower()

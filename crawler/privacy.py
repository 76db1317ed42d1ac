"""Personal data never leaves the crawler: contact blocks are dropped, emails and phones redacted.

Applied to every page before it is parsed or archived, so no table, raw page or log line
holds the contact block or any email address or phone number. A name written in the prose is
removed where a contact cue introduces it ("please contact Dr Fofie", "speak to Linda Coffey",
"Name: Helen Kielty"); a name the prose mentions any other way is not recognised.
"""
from __future__ import annotations

import re

import lxml.html

from crawler.parsers.document import html_document

# The local part starts where a run of its characters starts and is taken whole (possessive): otherwise
# every position of a long run (a base64 blob) is retried, and a 30 kB run takes 30 s.
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]++\s*(?:@|\(at\)|\[at\])\s*"
                   r"[A-Za-z0-9-]+(?:\s*\.\s*[A-Za-z0-9-]+)+")
# UK numbers: +44 or 0, then 9-10 more digits in the usual groupings (spaces, hyphens, brackets).
# A salary ("£49,387"), a date or a reference like C9273-26-0229 does not fit this shape.
PHONE = re.compile(
    r"(?<![\w£,.])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:\)?[\s-]?\d){8,9}(?!\w|,\d)"
)
# A person named after a contact cue: "please contact Dr Fofie", "speak to Linda Coffey, Director of ...",
# "Name: Helen Kielty", "Contact: Jo Bloggs". The cue is lower case or a label with a colon (so the job
# title "Contact Centre Manager" is no cue), and a name without a title needs two capitalised words
# ("contact the HR Team" and "contact Us" stay); a role before the name stays ("contact Ward Manager
# [name removed]").
_TITLE = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor)\.?"
# Smith, O’Neill, McDonald, Ul-Haq. Written so that each letter can match one way only: a pattern with
# two ways to split a run of letters backtracks exponentially on a long word that then fails to match.
_WORD = r"(?:Ma?c|O['’])?[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*"
_NOT_A_NAME = (r"(?!(?:The|Our|Us|HR|Human|Recruitment|Resourcing|Medical|Team|Digital|IT|Information|Clinical|Service|"
               r"Services|Department|Trust|NHS|Workforce|People)\b)")
_ROLE = r"(?:(?:Senior|Ward|Sister|Matron|Charge|Nurse|Manager|Consultant|Lead|Director|Head|Deputy)\s+)*"
NAME_AFTER_CUE = re.compile(
    rf"(?P<cue>(?:\b(?:contact|speak to|speak with|talk to|email|e-mail|call|ring)\b:?\s+|\bName:?\s*"
    rf"|\b(?:Contact|Contact name|contact name|name):\s*){_ROLE})"
    rf"(?P<name>{_TITLE}\s+{_WORD}(?:\s+{_WORD}){{0,2}}|{_NOT_A_NAME}{_WORD}\s+{_WORD})"
)
EMAIL_MASK = "[email removed]"
PHONE_MASK = "[phone removed]"
NAME_MASK = "[name removed]"
CONTACT_BLOCK_XPATH = (
    "//*[@id='contact_details' or starts-with(@id, 'contact_details_') or @id='contact-details']"
)


def redact_text(text: str) -> str:
    """Replace every email address, UK phone number and person named as a contact in ``text``."""
    text = EMAIL.sub(EMAIL_MASK, text)
    text = PHONE.sub(PHONE_MASK, text)
    return NAME_AFTER_CUE.sub(lambda m: m.group("cue") + NAME_MASK, text)


def scrub_page(html: str) -> str:
    """The page without its contact block and with emails and phone numbers redacted.

    ``mailto:`` and ``tel:`` links go with their text. The result is re-serialised by lxml,
    which parses it back to the same tree the parsers see.
    """
    complete = is_complete_page(html)
    document = html_document(html)
    if document is None:  # nothing to parse: kept as it came, and the parser will say so
        return redact_text(html)
    for element in document.xpath(CONTACT_BLOCK_XPATH):
        element.drop_tree()
    for link in document.xpath("//a[starts-with(@href, 'mailto:') or starts-with(@href, 'tel:')]"):
        link.set("href", "#removed")
    serialised = lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
    if not complete:  # keep a truncated page visibly truncated, so a re-parse rejects it again
        serialised = serialised.rsplit("</body>", 1)[0]
    return redact_text(serialised)


def is_complete_page(html: str) -> bool:
    """False for a page cut off in transfer: it never reached its closing ``</html>``."""
    return "</html>" in html[-2000:].lower()

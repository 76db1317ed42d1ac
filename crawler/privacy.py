"""Personal data never leaves the crawler: contact blocks are dropped, emails and phones redacted.

Applied to every page before it is parsed or archived, so no table, raw page or log line
holds the contact block or any email address or phone number. A name written in the prose
("contact Dr A. Person on ...") is not recognised as such: only its email and phone go.
"""
from __future__ import annotations

import re

import lxml.html

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\s*\.\s*[A-Za-z0-9-]+)+")
# UK numbers: +44 or 0, then 9-10 more digits in the usual groupings (spaces, hyphens, brackets).
# A salary ("£49,387"), a date or a reference like C9273-26-0229 does not fit this shape.
PHONE = re.compile(
    r"(?<![\w£,.])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:\)?[\s-]?\d){8,9}(?!\w|,\d)"
)
EMAIL_MASK = "[email removed]"
PHONE_MASK = "[phone removed]"
CONTACT_BLOCK_XPATH = (
    "//*[@id='contact_details' or starts-with(@id, 'contact_details_') or @id='contact-details']"
)


def redact_text(text: str) -> str:
    """Replace every email address and UK phone number in ``text``."""
    text = EMAIL.sub(EMAIL_MASK, text)
    return PHONE.sub(PHONE_MASK, text)


def scrub_page(html: str) -> str:
    """The page without its contact block and with emails and phone numbers redacted.

    ``mailto:`` and ``tel:`` links go with their text. The result is re-serialised by lxml,
    which parses it back to the same tree the parsers see.
    """
    complete = is_complete_page(html)
    document = lxml.html.document_fromstring(html)
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

"""Reading page text into an lxml document, whatever the page's prologue."""
from __future__ import annotations

import re

import lxml.etree
import lxml.html

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def html_document(text: str):
    """The page as an lxml HTML document, or None for a page with nothing to parse (empty, blank or
    only a comment). An XHTML page's XML declaration is dropped first: lxml refuses a declared
    encoding on text that is already decoded."""
    try:
        return lxml.html.document_fromstring(XML_DECLARATION.sub("", text, count=1))
    except lxml.etree.ParserError:
        return None

"""HTML to text: an lxml document whatever the page's prologue, and its visible text one block a line."""
from __future__ import annotations

import copy
import re

import lxml.etree
import lxml.html

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Elements that start a line of their own (so "<li>a</li><li>b</li>" reads as two lines, not "ab").
BLOCK_TAGS = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "dt", "dd", "section", "blockquote")
INVISIBLE = "//script|//style|//noscript"
_SPACES = re.compile(r"\s+")


def html_document(text: str):
    """The page as an lxml HTML document, or None for a page with nothing to parse (empty, blank or
    only a comment). An XHTML page's XML declaration is dropped first: lxml refuses a declared
    encoding on text that is already decoded."""
    try:
        return lxml.html.document_fromstring(XML_DECLARATION.sub("", text, count=1))
    except lxml.etree.ParserError:
        return None


def html_to_text(html: str) -> str:
    """Visible text with one line per block element."""
    document = html_document(html)
    return _block_text(document) if document is not None else ""


def block_lines(element) -> list[str]:
    """An element's visible text, a line per block element inside it, whitespace squashed, blank lines left out
    (the element itself is left as it was)."""
    lines = (" ".join(line.split()) for line in _block_text(copy.deepcopy(element)).splitlines())
    return [line for line in lines if line]


def _block_text(element) -> str:
    """Line breaks where blocks start and end; a line break of the page's source is a space, as a browser shows
    it (a paragraph wrapped at 80 columns is one line)."""
    for invisible in element.xpath(INVISIBLE.replace("//", ".//")):
        invisible.drop_tree()
    for node in element.iter():
        node.text = _SPACES.sub(" ", node.text) if node.text else node.text
        node.tail = _SPACES.sub(" ", node.tail) if node.tail else node.tail
    for block in element.iter(*BLOCK_TAGS):
        block.text = "\n" + (block.text or "")
        block.tail = "\n" + (block.tail or "")
    return element.text_content()

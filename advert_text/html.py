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
# Control characters (a vertical tab pasted from a word processor), raw or as character references ("&#x2;",
# even "&#x2" unterminated), that libxml2 reads into the tree but no XML text can hold: lxml then refuses any text
# written back (ValueError), so they are read as spaces.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _xml_safe(text: str) -> str:
    def reference(match: re.Match) -> str:
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        return " " if code < 0x110000 and NOT_IN_XML.match(chr(code)) else match.group(0)
    text = NOT_IN_XML.sub(" ", text)
    return _CHARACTER_REFERENCE.sub(reference, text) if "&#" in text else text


def html_document(text: str):
    """The page as an lxml HTML document, or None for a page with nothing to parse (empty, blank or
    only a comment). An XHTML page's XML declaration is dropped first: lxml refuses a declared
    encoding on text that is already decoded; control characters are read as spaces."""
    try:
        return lxml.html.document_fromstring(_xml_safe(XML_DECLARATION.sub("", text, count=1)))
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

"""Text normalisation shared by the matcher and the requirement extractor."""
from __future__ import annotations

import re
from collections.abc import Mapping

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SPACES = re.compile(r"\s+")
# A bullet or list number at the start of a line, and the break between two sentences.
BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25aa\u2023\u2043\u00b7o]|\d{1,2}[.)])\s+")
BULLET_CHARS = "-*\u2022\u25cf\u25aa\u2023\u2043\u00b7 "  # also written with no space after them ("•To provide")
SENTENCE_BREAK = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(])")


def fold(text: str) -> str:
    """Lower case, punctuation to spaces (keeping hyphens and digits inside words), spaces collapsed."""
    return " ".join(_WORD.findall(text.lower()))


def abbreviations_in(folded: str, abbreviations: Mapping[str, str]) -> list[tuple[str, str]]:
    """(abbreviation, expansion) for every abbreviation found in the folded text as a whole word; the
    matcher appends the expansions, so both forms can match."""
    words = set(folded.split())
    return [(short, expansion) for short, expansion in abbreviations.items() if short in words]


def squash_whitespace(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, its bullet removed, whitespace squashed, empty ones left out."""
    parts = SENTENCE_BREAK.split(BULLET.sub("", paragraph).strip())
    return [squashed for part in parts if (squashed := squash_whitespace(part).rstrip(";"))]

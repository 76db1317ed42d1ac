"""Text normalisation shared by the matcher and the requirement extractor."""
from __future__ import annotations

import re
from collections.abc import Mapping

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SPACES = re.compile(r"\s+")


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

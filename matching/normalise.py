"""Text normalisation shared by the matcher and the requirement extractor."""
from __future__ import annotations

import re
from collections.abc import Mapping

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, punctuation to spaces (keeping hyphens and digits inside words), spaces collapsed."""
    return " ".join(_WORD.findall(text.lower()))


def expand_abbreviations(folded: str, abbreviations: Mapping[str, str]) -> str:
    """Append the expansion of every abbreviation found as a whole word, so both forms can match."""
    words = set(folded.split())
    extra = [expansion for short, expansion in abbreviations.items() if short in words]
    return folded if not extra else folded + " " + " ".join(extra)


def squash_whitespace(text: str) -> str:
    return _SPACES.sub(" ", text).strip()

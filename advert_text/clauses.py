"""Long requirement lines cut into clauses, each nearer to one demand.

A long advert line often asks for several things ("Maintain the data warehouse; you will also train the coders,
as well as lead the reporting team"). The extractor already cuts prose at a stop followed by a space and a
capital; what is left is cut here at:
- a stop it did not see ("services.Patients", "the system. and then"), not in "e.g." or an e-mail address;
- semicolons, bullets run together into one line, and a dash or colon followed by a capital
  ("communication skills - You will present ...", "enable this work: The post holder will ...");
- coordinations that start a new demand: ", and ...", "as well as ...", "including ...", and a comma
  followed by an -ing verb (", ensuring ...", ", taking a lead on ...") unless that verb is one of a list
  ("analysing, interpreting and presenting").
Nothing inside brackets is a break. The words that start a coordination stay with the clause they start. Lines
shorter than ``MIN_SPLIT_CHARS`` are left whole, and a piece of fewer than ``MIN_CLAUSE_WORDS`` words is too short to
ask anything on its own: it stays joined to its neighbour. The clauses are spans of the line, so their words are
the line's own. The rules were written from the train and validation lines of the labelled 2020 adverts; asking
the matcher about clauses did not improve validation F1, so no matcher uses them yet (docs/matching.md).
"""
from __future__ import annotations

import re

MIN_SPLIT_CHARS = 100   # lines shorter than this are never cut
MIN_CLAUSE_WORDS = 4    # a piece with fewer words stays joined to its neighbour

# Breaks whose characters belong to no clause.
HARD_BREAKS = (
    r"(?<=[a-z0-9)\]])(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?]+\s+(?=[a-z(])",  # a stop, then lower case
    r"(?<=[a-z]{2})\.(?=[A-Z][a-z]+\s)",          # a stop with no space after it ("services.Patients work")
    r"\s*;\s*",
    r"\s*[\u2022\u25cf\u25aa\u25e6\u25b8]\s*",     # bullets run together
    r"\s+[-\u2013\u2014]\s+(?=[A-Z])",            # "skills - You will ..."
    r":\s+(?=[A-Z])",                             # "this work: The post holder will ..."
)
# Breaks before words that start a new demand; the words stay in the clause they start.
COORDINATIONS = (
    r",\s+(?=and\s)",
    r",?\s+(?=as well as\s)",
    r",?\s+(?=including\s)",
    r",\s+(?=[a-z]+ing\s(?!and\s|or\s)[a-z])",   # ", ensuring that ...", not "analysing, interpreting and ..."
)


def compile_breaks(hard: tuple[str, ...] = HARD_BREAKS, coordinations: tuple[str, ...] = COORDINATIONS) -> re.Pattern:
    return re.compile("|".join(f"(?:{pattern})" for pattern in (*hard, *coordinations)))


BREAKS = compile_breaks()
_EDGES = " ,;:-\u2013\u2014"


def clause_spans(line: str, min_chars: int = MIN_SPLIT_CHARS, min_words: int = MIN_CLAUSE_WORDS,
                 breaks: re.Pattern = BREAKS) -> list[tuple[int, int]]:
    """(start, end) of each clause of the line; one span, the whole line, when it is short or has one clause."""
    whole = [(0, len(line))]
    if len(line) < min_chars:
        return whole
    spans, start = [], 0
    for found in breaks.finditer(line):
        if line.count("(", 0, found.start()) > line.count(")", 0, found.start()):
            continue  # inside brackets: "(e.g. ICD-10; OPCS-4)" is one example, not two demands
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(line)))
    merged: list[tuple[int, int]] = []
    for span in (_trimmed(line, s) for s in spans):
        if span[0] >= span[1]:
            continue
        if merged and min(_words(line, merged[-1]), _words(line, span)) < min_words:
            merged[-1] = (merged[-1][0], span[1])  # too short alone: joined to its neighbour, as the line wrote them
        else:
            merged.append(span)
    return merged if len(merged) > 1 else whole


def clauses(line: str, min_chars: int = MIN_SPLIT_CHARS, min_words: int = MIN_CLAUSE_WORDS,
            breaks: re.Pattern = BREAKS) -> list[str]:
    """The line's clauses, in order; ``[line]`` when it is shorter than ``min_chars`` or has nothing to cut."""
    return [line[start:end] for start, end in clause_spans(line, min_chars, min_words, breaks)]


def _trimmed(line: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and line[start] in _EDGES:
        start += 1
    while end > start and line[end - 1] in _EDGES:
        end -= 1
    return start, end


def _words(line: str, span: tuple[int, int]) -> int:
    return len(line[span[0]:span[1]].split())

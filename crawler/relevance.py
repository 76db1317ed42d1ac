"""Is an advert an informatics role? A transparent, weighted term score over title and text.

The title decides most cases; terms in the summary and duties can tip a borderline title.
Non-informatics adverts are kept and flagged, never dropped.
"""
from __future__ import annotations

import re

TITLE_TERMS = [
    r"informatic", r"digital", r"\bdata\b", r"analyst", r"analytics", r"business intelligence", r"\bbi\b",
    r"\bepr\b", r"\behr\b", r"electronic (patient|health) record", r"clinical systems?", r"clinical safety",
    r"information governance", r"data protection", r"\bcaldicott", r"clinical cod(er|ing)", r"interoperab",
    r"integration (engineer|analyst|developer|lead|manager|specialist)", r"\bc[cnmd]io\b",
    r"chief (clinical|nursing|medical|digital) information", r"\bpacs\b", r"cyber", r"\bit\b", r"\bict\b",
    r"developer", r"software", r"systems? (analyst|manager|trainer|administrator|engineer|lead|support)",
    r"information (officer|manager|analyst|lead|services)", r"health records? (manager|systems)",
    r"\bdata scien", r"machine learning", r"\bai\b", r"artificial intelligence", r"network (engineer|manager)",
    r"service desk", r"infrastructure", r"technolog", r"\bux\b", r"user research", r"product (manager|owner)",
    r"programme manager.*digital", r"performance (analyst|manager)", r"\bstatistician", r"\bgis\b",
]
TEXT_TERMS = [
    r"\bepr\b", r"\behr\b", r"snomed", r"\bhl7\b", r"\bfhir\b", r"\bsql\b", r"power bi", r"\bdcb01[26][90]\b",
    r"information governance", r"\bdspt\b", r"clinical safety", r"interoperab", r"data warehouse",
    r"informatics", r"digital transformation", r"business intelligence", r"\bpython\b", r"machine learning",
]
TITLE_WEIGHT = 1.0
TEXT_WEIGHT = 0.25
THRESHOLD = 1.0

_TITLE = [re.compile(t, re.I) for t in TITLE_TERMS]
_TEXT = [re.compile(t, re.I) for t in TEXT_TERMS]


def informatics_score(title: str | None, text: str | None = None) -> float:
    title_hits = sum(1 for term in _TITLE if term.search(title or ""))
    text_hits = sum(1 for term in _TEXT if term.search(text or ""))
    return min(title_hits, 2) * TITLE_WEIGHT + min(text_hits, 4) * TEXT_WEIGHT


def is_informatics(score: float) -> bool:
    return score >= THRESHOLD

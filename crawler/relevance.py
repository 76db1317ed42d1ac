"""Is an advert an informatics role? A transparent, weighted term score over title and text.

The title decides most cases; terms in the summary and duties can tip a borderline title.
Non-informatics adverts are kept and flagged, never dropped.
"""
from __future__ import annotations

import re

TITLE_TERMS = [
    r"informatic", r"digital", r"\bdata\b", r"analyst", r"analytics", r"(?<!cognitive )\banalytical\b",
    r"intelligence", r"\bbi\b", r"\bepr\b", r"\behr\b", r"electronic (patient|health) record", r"clinical systems?",
    r"clinical safety", r"information governance", r"data protection", r"\bcaldicott", r"clinical cod(er|ing)",
    r"interoperab", r"integration (engineer|analyst|developer|lead|manager|specialist)", r"\bc[cnmd]io\b",
    r"chief (clinical|nursing|medical|digital) information", r"\bpacs\b", r"cyber", r"\bit\b", r"\bict\b",
    r"\bim ?& ?t\b", r"developer", r"software", r"devops", r"architect\b", r"\bsql\b", r"database", r"\bdba\b",
    r"\bcomput(er|ing)\b", r"systems? (analyst|manager|trainer|administrator|engineer|lead|support)",
    r"systems? (technician|developer|officer|specialist)",
    r"applications? (specialist|support|analyst|manager|developer|lead)",
    r"information (officer|manager|analyst|lead|services)", r"information (and |& )?systems?",
    r"health records? (manager|systems)", r"records management", r"\bdata scien", r"machine learning", r"\bai\b",
    r"network (engineer|manager|technician|analyst|infrastructure)", r"service desk", r"infrastructure",
    r"(?<!clinical )technology", r"\bux\b", r"user research", r"product (manager|owner)",
    r"programme manager.*digital", r"performance analyst", r"\bstatistician", r"\bgis\b",
]
# Generic titles (a project manager, a transformation officer) that text terms can tip: half a title term.
AMBIGUOUS_TITLE_TERMS = [
    r"\bprojects?\b", r"\bprogrammes?\b", r"transformation", r"implementation", r"business change",
    r"\binnovation\b", r"\btechnical\b", r"\bsupport (officer|analyst)",
]
# Titles that name a non-informatics role despite an informatics word: their title scores nothing.
NOT_TITLE_TERMS = [
    r"data (entry|input|administrat)", r"digital (marketing|media|communications?|learning|engagement|event)",
    r"\bmarketing\b", r"\bcommunications\b", r"policy analyst",
]
TEXT_TERMS = [
    r"\bepr\b", r"\behr\b", r"electronic patient record", r"clinical systems?", r"snomed", r"\bhl7\b", r"\bfhir\b",
    r"\bsql\b", r"power bi", r"\bdcb01[26][90]\b", r"information governance", r"\bdspt\b", r"clinical safety",
    r"interoperab", r"data warehouse", r"informatics", r"digital transformation", r"business intelligence",
    r"\bpython\b", r"machine learning", r"\bict\b", r"\bim ?& ?t\b", r"\bpacs\b", r"software", r"information systems?",
    r"\bit (projects?|services?|department|strategy|infrastructure|team)",
    r"digital (programme|strategy|team|services|health|implementation)", r"\bnhsx\b", r"nhs digital",
]
TITLE_WEIGHT = 1.0
AMBIGUOUS_TITLE_WEIGHT = 0.5
TEXT_WEIGHT = 0.25
THRESHOLD = 1.0

_TITLE = [re.compile(t, re.I) for t in TITLE_TERMS]
_AMBIGUOUS = [re.compile(t, re.I) for t in AMBIGUOUS_TITLE_TERMS]
_NOT_TITLE = [re.compile(t, re.I) for t in NOT_TITLE_TERMS]
_TEXT = [re.compile(t, re.I) for t in TEXT_TERMS]


def _title_score(title: str) -> float:
    if any(term.search(title) for term in _NOT_TITLE):
        return 0.0
    hits = sum(1 for term in _TITLE if term.search(title))
    if hits:
        return min(hits, 2) * TITLE_WEIGHT
    return AMBIGUOUS_TITLE_WEIGHT if any(term.search(title) for term in _AMBIGUOUS) else 0.0


def informatics_score(title: str | None, text: str | None = None) -> float:
    text_hits = sum(1 for term in _TEXT if term.search(text or ""))
    return _title_score(title or "") + min(text_hits, 4) * TEXT_WEIGHT


def is_informatics(score: float, threshold: float = THRESHOLD) -> bool:
    return score >= threshold

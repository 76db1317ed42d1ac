"""What every parsed advert gets before loading, whichever spider (or re-parse) produced it."""
from __future__ import annotations

import re

from advert_text.extract import extract_requirements
from crawler.relevance import THRESHOLD, informatics_score, is_informatics

# Adverts open to an employer's own staff only: kept for history, never published.
INTERNAL_ONLY = re.compile(
    r"\b(internal (applicants|candidates) only|only open to (current|existing|internal) (staff|employees|applicants)"
    r"|open to internal (staff|applicants) only|internal secondment only)\b", re.IGNORECASE)


def finish_advert(advert: dict, relevance_threshold: float = THRESHOLD) -> dict:
    """Add requirement lines and the informatics score and flag (informatics from ``relevance_threshold``)."""
    text = "\n".join(filter(None, (advert.get("summary"), advert.get("duties"), advert.get("responsibilities"))))
    score = informatics_score(advert.get("title"), text)
    advert["informatics_score"] = score
    advert["is_informatics"] = is_informatics(score, relevance_threshold)
    advert["requirements"] = extract_requirements(advert)
    advert["internal_only"] = bool(INTERNAL_ONLY.search(" ".join(filter(None, (advert.get("title"), text)))))
    return advert

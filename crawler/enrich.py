"""What every parsed advert gets before loading, whichever spider (or re-parse) produced it."""
from __future__ import annotations

from crawler.relevance import informatics_score, is_informatics
from matching.extract import extract_requirements


def finish_advert(advert: dict) -> dict:
    """Add requirement lines and the informatics score and flag."""
    text = "\n".join(filter(None, (advert.get("summary"), advert.get("duties"), advert.get("responsibilities"))))
    score = informatics_score(advert.get("title"), text)
    advert["informatics_score"] = score
    advert["is_informatics"] = is_informatics(score)
    advert["requirements"] = extract_requirements(advert)
    return advert

"""The 2020 NHS Jobs corpus in ../shared, read the one way every real-data script reads it.

No licence is stated for the corpus, so the project keeps only advert ids, line keys and labels; the
texts are rebuilt here from ../shared on demand. Adverts listed in reserved.txt are kept for outside
evaluation and are never yielded. A line key is "<advert _id>:<first 12 hex of the line's SHA-1>".
Splits are fixed by employer (so one trust's boilerplate cannot cross from train to test).
"""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advert_text.extract import split_lines  # noqa: E402
from advert_text.html import html_to_text  # noqa: E402

CORPUS_DIR = ROOT.parent / "shared" / "data" / "nhs_jobs_2020"
DEFAULT_CORPUS = CORPUS_DIR / "postings.jsonl.gz"
# Share of employers in each split, by a stable hash of the employer's name.
SPLIT_SHARES = (("train", 60), ("validation", 20), ("test", 20))


def reserved_ids(corpus: Path = DEFAULT_CORPUS) -> set[str]:
    path = corpus.parent / "reserved.txt"
    if not path.is_file():
        raise SystemExit(f"no reserved.txt beside {corpus}: the reserved adverts are unknown, so nothing is read")
    return {line.strip() for line in path.read_text(encoding="utf-8").split() if line.strip()}


def adverts(corpus: Path = DEFAULT_CORPUS) -> Iterator[dict]:
    """Every advert of the corpus except the reserved ones, as the JSON object it is stored as."""
    reserved = reserved_ids(corpus)
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for raw in handle:
            advert = json.loads(raw)
            if str(advert.get("_id")) not in reserved:
                yield advert


def description_text(advert: dict) -> str:
    """The description as visible text, one block element a line (the corpus escapes its HTML twice)."""
    description = html.unescape(html.unescape(advert.get("description") or ""))
    return html_to_text(description) if description.strip() else ""


def advert_lines(advert: dict) -> list[str]:
    return split_lines(description_text(advert))


def line_key(advert_id: str, line: str) -> str:
    return f"{advert_id}:{hashlib.sha1(line.encode('utf-8')).hexdigest()[:12]}"


def employer_of(advert: dict) -> str:
    organisation = advert.get("hiringOrganization") or {}
    return " ".join(str(organisation.get("name") or "").lower().split()) if isinstance(organisation, dict) else ""


def split_of(advert: dict) -> str:
    """train / validation / test, fixed by the employer's name (adverts of one employer share a split)."""
    bucket = int(hashlib.sha1(employer_of(advert).encode("utf-8")).hexdigest()[:8], 16) % 100
    for name, share in SPLIT_SHARES:
        if bucket < share:
            return name
        bucket -= share
    raise AssertionError("split shares must add up to 100")

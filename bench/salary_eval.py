"""Salary, pay period and band of real JobPosting adverts against hand labels for 100 adverts of the 2020
corpus (tests/data/real_2020_salary_labels.jsonl: ids and values only; 20 drawn from adverts whose salary
text mentions hours, 80 from the rest). The project's parser is compared with the naive reading: the
structured baseSalary numbers with their unitText, and the band from the title only.

    .venv/bin/python bench/salary_eval.py
"""
from __future__ import annotations

import json
import sys

from real_corpus import DEFAULT_CORPUS, ROOT, adverts

sys.path.insert(0, str(ROOT))
from section_eval import as_page  # noqa: E402

from crawler.parsers.fields import normalise_band  # noqa: E402
from crawler.parsers.jobposting import parse_page, salary_text  # noqa: E402
from crawler.privacy import scrub_page  # noqa: E402

LABELS = ROOT / "tests" / "data" / "real_2020_salary_labels.jsonl"
UNITS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year"}


def naive(record: dict) -> dict:
    value = (record.get("baseSalary") or {}).get("value") or {}
    number = lambda key: float(value[key]) if str(value.get(key) or "").replace(".", "").isdigit() else None  # noqa: E731
    low, high = number("minValue"), number("maxValue")
    period = UNITS.get(str(value.get("unitText")).upper()) if low else None
    return {"salary_min": low, "salary_max": high, "period": period, "band": normalise_band(record.get("title")),
            "text": None}


def ours(record: dict) -> dict:
    [advert] = parse_page(scrub_page(as_page(record)), f"https://example.org/{record['_id']}")
    return {"salary_min": advert["salary_min"], "salary_max": advert["salary_max"], "period": advert["salary_period"],
            "band": advert["band"], "text": salary_text(record.get("baseSalary"))}


def close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 0.01)


def main() -> int:
    if not DEFAULT_CORPUS.is_file():
        print(f"skipped: no corpus at {DEFAULT_CORPUS}")
        return 0
    labels = {row["id"]: row for row in map(json.loads, LABELS.read_text(encoding="utf-8").splitlines()) if row}
    records = {str(r["_id"]): r for r in adverts() if str(r["_id"]) in labels}
    print(f"{len(records)} labelled adverts")
    for name, read in (("naive (structured numbers, band from title)", naive), ("cijobs", ours)):
        amounts = period = band = text = 0
        for advert_id, label in labels.items():
            got = read(records[advert_id])
            amounts += close(got["salary_min"], label["salary_min"]) and close(got["salary_max"], label["salary_max"])
            period += got["period"] == label["period"]
            band += (got["band"] or "").lower() == (label["band"] or "").lower()
            text += got["text"] is not None
        n = len(labels)
        print(f"  {name}: amounts right {amounts}/{n}, period right {period}/{n}, band right {band}/{n}, "
              f"salary text kept {text}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

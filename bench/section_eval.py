"""Section extraction on real adverts: which lines the JobPosting path files as essential or desirable
criteria, duties, or neither, against hand labels (tests/data/real_2020_v6_labels.jsonl), and the share of
real adverts in which any criterion is found at all.

Each labelled advert of the 2020 corpus goes through the same path as a crawl: a page with its JSON-LD,
scrub_page, the JobPosting parser, then requirement extraction. A labelled line takes the class of the
requirement row that holds it (else "neither"). The test third (by employer) is reported only with --final.

    .venv/bin/python bench/section_eval.py [--final] [--coverage]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict

from real_corpus import DEFAULT_CORPUS, ROOT, advert_lines, adverts, line_key

sys.path.insert(0, str(ROOT))
from advert_text.extract import extract_requirements  # noqa: E402
from advert_text.normalise import squash_whitespace  # noqa: E402
from crawler.parsers.errors import ParseError  # noqa: E402
from crawler.parsers.jobposting import parse_page  # noqa: E402
from crawler.privacy import scrub_page  # noqa: E402

LABELS = ROOT / "tests" / "data" / "real_2020_v6_labels.jsonl"
CLASSES = ("essential", "desirable", "duty", "neither")


def as_page(record: dict) -> str:
    """The advert as the legacy site served it: its JobPosting as JSON-LD (non-ASCII escaped)."""
    posting = {key: value for key, value in record.items() if not key.startswith("_")}
    return ("<!DOCTYPE html><html><head><script type=\"application/ld+json\">"
            + json.dumps(posting).replace("</", "<\\/") + "</script></head><body></body></html>")


def requirement_class(row: dict) -> str:
    if row["section"] == "person_specification":
        return "desirable" if row.get("level") == "desirable" else "essential"
    return "duty"


def predicted_classes(record: dict) -> tuple[dict[str, str], int]:
    """Each requirement text of the advert -> its class; and how many criteria were found (-1: a parse error)."""
    try:
        [advert] = parse_page(scrub_page(as_page(record)), record.get("url") or f"https://example.org/{record['_id']}")
    except ParseError:
        return {}, -1
    rows = extract_requirements(advert)
    return ({squash_whitespace(row["text"]): requirement_class(row) for row in rows},
            sum(row["section"] == "person_specification" for row in rows))


def line_class(line: str, predicted: dict[str, str]) -> str:
    line = squash_whitespace(line)
    if line in predicted:
        return predicted[line]
    for text, kind in predicted.items():  # the parser may split a line further, or join it
        if len(text) >= 12 and (text in line or line in text):
            return kind
    return "neither"


def report(name: str, pairs: list[tuple[str, str]], adverts_total: int, with_criteria: int) -> None:
    print(f"\n{name}: {len(pairs)} lines in {adverts_total} adverts; any criterion found in "
          f"{with_criteria}/{adverts_total} = {with_criteria / max(adverts_total, 1):.0%}")
    print(f"  {'class':<10}{'labelled':>9}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}")
    for kind in CLASSES:
        tp = sum(g == kind and p == kind for g, p in pairs)
        gold = sum(g == kind for g, _ in pairs)
        found = sum(p == kind for _, p in pairs)
        precision, recall = tp / max(found, 1), tp / max(gold, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        print(f"  {kind:<10}{gold:>9}{found:>7}{precision:>7.3f}{recall:>7.3f}{f1:>7.3f}")
    criteria = [(g in ("essential", "desirable"), p in ("essential", "desirable")) for g, p in pairs]
    tp = sum(g and p for g, p in criteria)
    print(f"  any criterion (essential or desirable): P {tp / max(sum(p for _, p in criteria), 1):.3f} "
          f"R {tp / max(sum(g for g, _ in criteria), 1):.3f}")
    confusion = Counter(pairs)
    print("  confusions (labelled -> found): " + ", ".join(f"{g}->{p} {n}" for (g, p), n in confusion.most_common()
                                                          if g != p))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--final", action="store_true", help="also report the test third (once, at the end)")
    parser.add_argument("--coverage", action="store_true", help="share of all corpus adverts with a criterion found")
    args = parser.parse_args()
    if not DEFAULT_CORPUS.is_file():
        print(f"skipped: no corpus at {DEFAULT_CORPUS}")
        return 0
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_key = {row["key"]: row for row in labels}
    wanted = {row["key"].split(":")[0] for row in labels}
    pairs: dict[str, list] = defaultdict(list)
    advert_counts: Counter = Counter()
    criteria_counts: Counter = Counter()
    covered = total = errors = 0
    started = time.perf_counter()
    for record in adverts():
        advert_id = str(record["_id"])
        if not args.coverage and advert_id not in wanted:
            continue
        predicted, criteria = predicted_classes(record)
        total += 1
        covered += criteria > 0
        errors += criteria < 0
        if advert_id not in wanted:
            continue
        split = None
        for line in advert_lines(record):
            row = by_key.get(line_key(advert_id, line))
            if row and (split := row["split"]) and (row["split"] != "test" or args.final):
                pairs[split].append((row["section"], line_class(line, predicted)))
        if split and (split != "test" or args.final):
            advert_counts[split] += 1
            criteria_counts[split] += criteria > 0
    for split in ("train", "validation", "test"):
        if pairs[split]:
            report(split, pairs[split], advert_counts[split], criteria_counts[split])
    if args.coverage:
        print(f"\nall corpus adverts (reserved excluded): a criterion found in {covered}/{total} = "
              f"{covered / max(total, 1):.1%}; pages that failed to parse after scrubbing: {errors}")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

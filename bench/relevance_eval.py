"""Relevance flag quality: crawler/relevance.py against hand labels on the 2020 NHS Jobs corpus.

Labels (advert id -> informatics 1/0) are in tests/data/relevance_labels.csv; see the .md beside
it for the definition and how the sample was drawn. Titles and texts are read from the corpus in
../shared/data/nhs_jobs_2020 (never copied); without it the script prints "skipped" and exits 0.
Prints precision, recall, F1, accuracy and the confusion matrix of the project's flag and of a
naive title-keyword baseline, and the project's false positives / negatives as advert ids.

    .venv/bin/python bench/relevance_eval.py [--corpus PATH] [--labels CSV] [--show-titles]
"""
from __future__ import annotations

import argparse
import csv
import html
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from real_corpus import adverts  # noqa: E402

from advert_text.html import html_to_text  # noqa: E402
from crawler.relevance import informatics_score, is_informatics  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "nhs_jobs_2020"
DEFAULT_LABELS = ROOT / "tests" / "data" / "relevance_labels.csv"
BASELINE_WORDS = ("informatics", "digital", "data", "systems", "information")  # any case
BASELINE_CASED = ("IT ",)  # as written, so that "unit " does not count


def read_labels(path: Path) -> dict[str, int]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["advert_id"]: int(row["informatics"]) for row in csv.DictReader(handle)}


def plain_text(description: str) -> str:
    """Corpus descriptions are HTML escaped twice."""
    markup = html.unescape(html.unescape(description or ""))
    return html_to_text(markup) if markup.strip() else ""


def read_adverts(corpus: Path, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """(title, plain text) of the wanted adverts, by the corpus's own id ``_id``."""
    found = {}
    for posting in adverts(corpus / "postings.jsonl.gz"):  # reserved adverts are never read
        if posting["_id"] in wanted:
            title = html.unescape(html.unescape(posting.get("title") or ""))
            found[posting["_id"]] = (title, plain_text(posting.get("description")))
    return found


def baseline_flag(title: str) -> bool:
    lowered = title.lower()
    return any(word in lowered for word in BASELINE_WORDS) or any(word in title for word in BASELINE_CASED)


def confusion(gold: dict[str, int], flags: dict[str, bool]) -> dict[str, int]:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for advert_id, label in gold.items():
        key = ("t" if bool(label) == flags[advert_id] else "f") + ("p" if flags[advert_id] else "n")
        counts[key] += 1
    return counts


def metrics(counts: dict[str, int]) -> dict[str, float]:
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": (tp + tn) / sum(counts.values())}


def print_scores(name: str, counts: dict[str, int]) -> None:
    scores = metrics(counts)
    print(f"{name}: n={sum(counts.values())}  precision={scores['precision']:.3f}  recall={scores['recall']:.3f}  "
          f"F1={scores['f1']:.3f}  accuracy={scores['accuracy']:.3f}")
    print(f"  confusion (rows gold, columns flag):  gold 1: flag 1 {counts['tp']:4d}  flag 0 {counts['fn']:4d}")
    print(f"                                        gold 0: flag 1 {counts['fp']:4d}  flag 0 {counts['tn']:4d}")


def print_errors(kind: str, ids: list[str], scores: dict[str, float], titles: dict[str, str] | None) -> None:
    print(f"  {kind} ({len(ids)}):")
    for advert_id in sorted(ids, key=lambda i: (-scores[i], i)):
        suffix = f"  {titles[advert_id]}" if titles else ""
        print(f"    {advert_id}  score={scores[advert_id]:.2f}{suffix}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder holding postings.jsonl.gz")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--show-titles", action="store_true", help="print titles of errors (local debugging only)")
    args = parser.parse_args()
    if not (args.corpus / "postings.jsonl.gz").is_file():
        print(f"skipped: corpus not found at {args.corpus}")
        return

    labels = read_labels(args.labels)
    adverts = read_adverts(args.corpus, set(labels))
    missing = sorted(set(labels) - set(adverts))
    if missing:
        print(f"{len(missing)} labelled adverts left out: reserved for outside evaluation, or not in this corpus")
    gold = {advert_id: label for advert_id, label in labels.items() if advert_id in adverts}
    scores = {advert_id: informatics_score(title, text) for advert_id, (title, text) in adverts.items()}
    project = {advert_id: is_informatics(score) for advert_id, score in scores.items()}
    baseline = {advert_id: baseline_flag(title) for advert_id, (title, _) in adverts.items()}

    print(f"labels: {len(gold)} adverts, {sum(gold.values())} informatics, {len(gold) - sum(gold.values())} not")
    print_scores("project (crawler/relevance.py)", confusion(gold, project))
    titles = {advert_id: title for advert_id, (title, _) in adverts.items()} if args.show_titles else None
    print_errors("false positives", [i for i in gold if project[i] and not gold[i]], scores, titles)
    print_errors("false negatives", [i for i in gold if gold[i] and not project[i]], scores, titles)
    words = ", ".join(BASELINE_WORDS) + ", " + ", ".join(repr(word) for word in BASELINE_CASED)
    print_scores(f"baseline (title contains any of: {words})", confusion(gold, baseline))


if __name__ == "__main__":
    main()

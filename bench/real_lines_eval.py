"""Matcher accuracy on real advert lines of 2020 NHS Jobs adverts, hand labelled, that no matcher was tuned on.

By default the test third of the matching v6 labels, both rounds (tests/data/real_2020_v6_labels.jsonl and
real_2020_v6_round2_labels.jsonl, split by employer; 1,823 lines of 106 adverts): the learned stage was
trained on the train third and chosen on validation, and the phrase matcher was never tuned on them.
``--labels tests/data/real_2020_labels.jsonl`` scores the earlier 1,500-line set (part of which the learned
stage's training adverts share). A key is "<advert _id>:<first 12 hex of the line's SHA-1>", and the lines
are rebuilt from the corpus in ../shared/data/nhs_jobs_2020 exactly as they were drawn (never copied);
without the corpus the script prints "skipped" and exits 0.
Prints the project's figures (as `cijobs eval` does) and, on the same lines, a naive baseline: each
line's single best competency statement by rapidfuzz token_set_ratio, kept at 50 or more.

    .venv/bin/python bench/real_lines_eval.py [--corpus PATH] [--split tune|holdout] [--record FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from real_corpus import advert_lines, adverts, line_key, reserved_ids  # noqa: E402

from advert_text.extract import is_boilerplate  # noqa: E402
from matching.evaluate import SPLITS, Scores, evaluate, report, split_gold  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.learned import build_matcher  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "nhs_jobs_2020" / "postings.jsonl.gz"
DEFAULT_LABELS = [ROOT / "tests" / "data" / "real_2020_v6_labels.jsonl",
                  ROOT / "tests" / "data" / "real_2020_v6_round2_labels.jsonl"]
RECORDED_SPLIT = "test"  # of the v6 labels: the third nothing was trained or tuned on
BASELINE_CUTOFF = 50  # the baseline's best of 40-90 on these lines: the comparison favours it


def labelled_lines(corpus: Path, labels: list[Path], v6_split: str = RECORDED_SPLIT) -> list[dict]:
    """The labelled rows with their text rebuilt from the corpus, in the labels' order (of the v6 labels, only
    the rows of ``v6_split``). Lines of adverts that are now reserved for outside evaluation are never read:
    they are left out, and counted."""
    wanted = [{**row, "sample": row.get("sample") or path.stem.replace("real_2020_", "")}
              for path in labels for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
              if row.get("split", v6_split) == v6_split]
    reserved = reserved_ids(corpus)
    kept = [row for row in wanted if row["key"].split(":")[0] not in reserved]
    if len(kept) < len(wanted):
        print(f"{len(wanted) - len(kept)} labelled lines left out: their adverts are reserved for outside evaluation")
    wanted = kept
    wanted_adverts = {row["key"].split(":")[0] for row in wanted}
    texts = {}
    for advert in adverts(corpus):
        if str(advert.get("_id")) in wanted_adverts:
            for line in advert_lines(advert):
                texts[line_key(str(advert["_id"]), line)] = line
    missing = [row["key"] for row in wanted if row["key"] not in texts]
    if missing:
        raise SystemExit(f"{len(missing)} labelled lines are not in this corpus (first: {missing[0]})")
    return [{"id": row["key"], "text": texts[row["key"]], "competencies": row["competencies"],
             "sample": row.get("sample", "")} for row in wanted]


def baseline_scores(framework, rows: list[dict]) -> tuple[Scores, Scores]:
    statements = [c.statement for c in framework.competencies]
    competency_scores, domain_scores = Scores(), Scores()
    for row in rows:
        predicted = set()
        if not is_boilerplate(row["text"]):
            best = process.extractOne(row["text"], statements, scorer=fuzz.token_set_ratio,
                                      score_cutoff=BASELINE_CUTOFF)
            if best:
                predicted = {framework.competencies[best[2]].id}
        gold = set(row["competencies"])
        competency_scores.add(gold, predicted)
        domain_scores.add({c.split(".")[0] for c in gold}, {c.split(".")[0] for c in predicted})
    return competency_scores, domain_scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--labels", type=Path, nargs="+", default=DEFAULT_LABELS)
    parser.add_argument("--v6-split", choices=["train", "validation", "test"], default=RECORDED_SPLIT,
                        help="which third of the v6 labels (default: test, the one nothing was tuned on)")
    parser.add_argument("--split", choices=SPLITS, default="all")
    parser.add_argument("--record", type=Path, metavar="FILE", help="write the figures, with the versions measured")
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"skipped: no corpus at {args.corpus}")
        return 0
    rows = split_gold(labelled_lines(args.corpus, args.labels, args.v6_split), args.split)
    framework = load_framework()
    matcher = build_matcher(framework)
    evaluation = evaluate(matcher, rows)
    print(f"real advert lines ({args.split}):")
    print(report(evaluation, framework, worst=5))
    print("\nby sample (see the labels' .md files in tests/data):")
    for sample in sorted({row["sample"] for row in rows}):
        part = evaluate(matcher, [row for row in rows if row["sample"] == sample])
        print(f"  {sample:<12} {part.lines:4d} lines ({part.empty_lines} ask nothing): competency F1 "
              f"{part.competency.f1:.3f} (P {part.competency.precision:.3f}, R {part.competency.recall:.3f}), "
              f"domain F1 {part.domain.f1:.3f}")
    competency, domain = baseline_scores(framework, rows)
    print(f"\nnaive baseline (best statement by token_set_ratio >= {BASELINE_CUTOFF}): competency F1 "
          f"{competency.f1:.3f} (P {competency.precision:.3f}, R {competency.recall:.3f}), domain F1 {domain.f1:.3f}")
    if args.record:
        figures = {**evaluation.as_dict(), "gold": " + ".join(path.name for path in args.labels),
                   "split": args.split, "v6_split": args.v6_split,
                   "matcher_version": matcher.version, "framework_version": framework.version}
        args.record.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the learned matching stage (matcher v6) from the labelled real advert lines, deterministically.

Labels: tests/data/real_2020_v6_labels.jsonl (round 1: whole adverts), real_2020_v6_round2_labels.jsonl
(round 2: the lines the pipeline matches), real_2020_v6_round3_labels.jsonl and real_2020_v6_round4_labels.jsonl
(rounds 3-4: train split only, drawn by active learning, round 4 line by line); keys and labels only, read at run
time, so an adjudication merged into them is picked up; the texts are rebuilt from the corpus in
../shared/data/nhs_jobs_2020 by bench/real_corpus.py (reserved adverts are never read). Without the corpus: prints
"skipped", exits 0.

Fitting uses the `train` split of every round (plus the helper-written gold lines, weighted GOLD_WEIGHT): the text
model, the "asks anything" model, the phrase counts and the re-scorer, and the thresholds per domain (on the training
lines' out-of-fold candidates, where every domain has over a hundred labelled lines); every other choice (the text
model's C, one shift of the thresholds, the phrase matcher's gate) is made on `validation` of both rounds, reported
per round and together with found/labelled per domain; `test` is scored only with --final. The fitting itself is
matching/training.py's (`cijobs train` uses it too); this script gathers the corpus's lines and reports. The
experiments behind the current recipe are bench/v6_rescorer_experiments.py's.
Writes matching/model/v6.json + v6.npz (n-grams kept only when seen in >= 5 different training adverts),
then scores the shipped files through the production path (matching.evaluate.evaluate ->
classify_lines), the phrase matcher alone beside it, and prints a learning curve (validation F1 at
25/50/75/100 % of the training adverts).

    .venv/bin/python bench/train_matcher_v6.py [--final] [--no-curve] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
import real_corpus  # noqa: E402

from advert_text.normalise import fold  # noqa: E402
from matching.evaluate import evaluate, load_gold  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.learned import LearnedMatcher, LearnedModel, model_dir, weights_hash  # noqa: E402
from matching.matcher import Matcher  # noqa: E402
from matching.training import C_GRID, stable_hash, train  # noqa: E402

DATA = ROOT / "tests" / "data"
LABEL_FILES = (("round 1", DATA / "real_2020_v6_labels.jsonl"), ("round 2", DATA / "real_2020_v6_round2_labels.jsonl"),
               ("round 3", DATA / "real_2020_v6_round3_labels.jsonl"),  # rounds 3-4: train split only
               ("round 4", DATA / "real_2020_v6_round4_labels.jsonl"))
OLD_LABELS = DATA / "real_2020_labels.jsonl"
GOLD, BLIND = DATA / "requirements_gold.jsonl", DATA / "requirements_blind.jsonl"
# Rounds 1-2: chosen on validation from 0.3 (0.488) and 1.0 (0.497). With round 4: 1.0 and 2.0 tie on validation
# (0.548), and only 2.0 keeps the never-trained written lines (blind) at or above their 0.764 guard (0.757 / 0.778).
GOLD_WEIGHT = 2.0


def rebuild_texts(keys_wanted: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """key -> line text, and advert id -> employer split, for the adverts behind these keys."""
    adverts_wanted = {key.split(":")[0] for key in keys_wanted}
    texts, splits = {}, {}
    for advert in real_corpus.adverts():
        advert_id = str(advert.get("_id"))
        if advert_id not in adverts_wanted:
            continue
        splits[advert_id] = real_corpus.split_of(advert)
        for line in real_corpus.advert_lines(advert):
            key = real_corpus.line_key(advert_id, line)
            if key in keys_wanted:
                texts[key] = line
    return texts, splits


def figures(evaluation) -> str:
    c, d = evaluation.competency, evaluation.domain
    return (f"competency F1 {c.f1:.3f} (P {c.precision:.3f} R {c.recall:.3f})  "
            f"domain F1 {d.f1:.3f} (P {d.precision:.3f} R {d.recall:.3f})  [{evaluation.lines} lines]")


def domain_ratios(evaluation) -> str:
    """Found/labelled per domain: what demand counts rest on (the issue asks for 0.90-1.10)."""
    ratios = {d: s.found_per_labelled for d, s in sorted(evaluation.per_domain.items(), key=lambda i: int(i[0]))}
    return " ".join(f"{d}:{r:.2f}" for d, r in ratios.items() if r is not None)


def compare(name: str, rows: list[dict], results: dict, model_path: Path, ratios: bool = False) -> None:
    """Both matchers fresh for each set (the phrase matcher remembers words between calls)."""
    if not rows:
        return
    phrase = Matcher(load_framework())
    learned = LearnedMatcher(Matcher(load_framework()), LearnedModel.load(model_path), weights_hash(model_path))
    p, l_ = evaluate(phrase, rows), evaluate(learned, rows)
    print(f"{name}\n  phrase  {figures(p)}\n  learned {figures(l_)}")
    if ratios:
        print(f"  found/labelled per domain: phrase  {domain_ratios(p)}\n"
              f"                             learned {domain_ratios(l_)}")
    results[name] = {"phrase": {"competency": p.competency.as_dict(), "domain": p.domain.as_dict()},
                     "learned": {"competency": l_.competency.as_dict(), "domain": l_.domain.as_dict(),
                                 "found_per_labelled": {d: sc.found_per_labelled for d, sc in l_.per_domain.items()}},
                     "lines": len(rows)}


def read_labels() -> list[dict]:
    """Both rounds' label rows (keys, splits, labels), each tagged with its round."""
    rows = []
    for name, path in LABEL_FILES:
        rows += [{**json.loads(line), "round": name} for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return rows


def load_rows() -> tuple[dict[str, list[dict]], list[dict], list[dict]]:
    """Labelled real lines by split (texts rebuilt from the corpus), the gold lines, the old real lines."""
    labels = read_labels()
    old = [json.loads(line) for line in OLD_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts, advert_split = rebuild_texts({r["key"] for r in labels} | {r["key"] for r in old})
    missing = [r["key"] for r in labels if r["key"] not in texts]
    if missing:
        raise SystemExit(f"{len(missing)} v6 labelled lines are not in the corpus (first: {missing[0]})")
    by_split = defaultdict(list)
    for r in labels:
        text = texts[r["key"]]
        by_split[r["split"]].append({"id": r["key"], "text": text, "folded": fold(text),
                                     "competencies": list(r["competencies"]), "advert": r["key"].split(":")[0],
                                     "weight": 1.0, "split": r["split"], "round": r["round"]})
    gold_rows = [{"id": g["id"], "text": g["text"], "folded": fold(g["text"]), "competencies": g["competencies"],
                  "advert": None, "weight": GOLD_WEIGHT} for g in load_gold(GOLD)]
    old_rows = [{"id": r["key"], "text": texts[r["key"]], "competencies": r["competencies"],
                 "split": advert_split.get(r["key"].split(":")[0])} for r in old if r["key"] in texts]
    if len(old_rows) < len(old):
        print(f"(old set: {len(old) - len(old_rows)} lines not rebuilt)")
    return by_split, gold_rows, old_rows


def compare_by_round(split: str, rows: list[dict], results: dict, model_path: Path) -> None:
    """One split scored per labelling round and over both."""
    for name, _ in LABEL_FILES:
        compare(f"v6 {split}, {name}", [r for r in rows if r["round"] == name], results, model_path, ratios=True)
    compare(f"v6 {split}, both rounds", rows, results, model_path, ratios=True)


def learning_curve(by_split: dict, gold_rows: list[dict], phrase: Matcher, phrase_answers: dict, c: float) -> dict:
    """Validation F1 at 25/50/75/100 % of the training adverts (every round), everything re-chosen each time."""
    import tempfile

    adverts = sorted({r["advert"] for r in by_split["train"]}, key=stable_hash)
    curve = {}
    for share in (25, 50, 75, 100):
        kept = set(adverts[: round(len(adverts) * share / 100)])
        rows = [r for r in by_split["train"] if r["advert"] in kept]
        part, _ = train(rows + gold_rows, by_split["validation"], phrase, phrase_answers, c_grid=(c,),
                        log=lambda *_: None, gold_weight=GOLD_WEIGHT)
        with tempfile.TemporaryDirectory() as tmp:
            part.save(Path(tmp))
            matcher = LearnedMatcher(phrase, LearnedModel.load(Path(tmp)), "curve")
            evaluation = evaluate(matcher, by_split["validation"])
        curve[share] = {"train_lines": len(rows), "competency_f1": round(evaluation.competency.f1, 4),
                        "domain_f1": round(evaluation.domain.f1, 4)}
        print(f"  {share:3d}% ({len(rows):4d} lines, {len(kept)} adverts): {figures(evaluation)}")
    return curve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--final", action="store_true", help="also score the test split (once, at the end)")
    parser.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    parser.add_argument("--out", type=Path, default=model_dir(), help="where to write v6.json + v6.npz")
    parser.add_argument("--c-grid", type=float, nargs="+", default=list(C_GRID), help="text model C values to try")
    parser.add_argument("--results", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    if not real_corpus.DEFAULT_CORPUS.is_file():
        print(f"skipped: no corpus at {real_corpus.DEFAULT_CORPUS}")
        return 0
    started = time.monotonic()
    by_split, gold_rows, old_rows = load_rows()
    for name, _ in LABEL_FILES:
        counts = Counter(r["split"] for rs in by_split.values() for r in rs if r["round"] == name)
        print(f"v6 {name} lines: {', '.join(f'{s} {n}' for s, n in sorted(counts.items()))}")
    print(f"gold lines in training (weight {GOLD_WEIGHT}): {len(gold_rows)}  [{time.monotonic() - started:.0f}s]")

    phrase = Matcher(load_framework())
    every_line = sorted({r["text"] for rs in by_split.values() for r in rs} | {r["text"] for r in gold_rows})
    phrase_answers = dict(zip(every_line, phrase.match_lines(every_line)))

    train_rows = by_split["train"] + gold_rows
    print("choosing C and the threshold on validation (both rounds):")
    model, chosen = train(train_rows, by_split["validation"], phrase, phrase_answers, c_grid=args.c_grid,
                          gold_weight=GOLD_WEIGHT)
    json_path, npz_path = model.save(args.out)
    print(f"wrote {json_path} ({json_path.stat().st_size / 1e6:.2f} MB) and {npz_path} "
          f"({npz_path.stat().st_size / 1e6:.2f} MB): {len(model.competencies)} competencies learned, "
          f"{len(model.word_vocabulary)} word + {len(model.char_vocabulary)} character n-grams, "
          f"{np.count_nonzero(model.weights)} weights, threshold {model.threshold:.2f}, "
          f"weights hash {weights_hash(args.out)}")

    learned = LearnedMatcher(phrase, LearnedModel.load(args.out), weights_hash(args.out))
    results = {"chosen": chosen, "version": learned.version}
    print("\nscored through the production path (boilerplate filter, then the matcher):")
    compare_by_round("validation", by_split["validation"], results, args.out)
    if args.final:
        compare_by_round("test (scored once)", by_split["test"], results, args.out)
    compare("old 1,500 real lines, all (includes lines of v6 training adverts)", old_rows, results, args.out)
    unseen = [r for r in old_rows if r["split"] == "validation" or (args.final and r["split"] == "test")]
    compare(f"old real lines from employers never trained on ({'validation+test' if args.final else 'validation'})",
            unseen, results, args.out)
    compare(f"gold (helper-written; in training at weight {GOLD_WEIGHT})", load_gold(GOLD), results, args.out)
    compare("blind (helper-written; never trained on)", load_gold(BLIND), results, args.out)

    if not args.no_curve:
        print("\nlearning curve (validation, every round's training adverts; the thresholds re-chosen at each size):")
        results["learning_curve"] = learning_curve(by_split, gold_rows, phrase, phrase_answers, chosen["c"])
    if args.results:
        args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\ndone in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

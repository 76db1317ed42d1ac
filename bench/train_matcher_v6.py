"""Train the learned matching stage (matcher v6) from the labelled real advert lines, deterministically.

Labels: tests/data/real_2020_v6_labels.jsonl (keys and labels only, read at run time, so an adjudication
merged into it is picked up); the texts are rebuilt from the corpus in ../shared/data/nhs_jobs_2020 by
bench/real_corpus.py (reserved adverts are never read). Without the corpus: prints "skipped", exits 0.

Fitting uses the `train` split (plus the helper-written gold lines, weighted 0.3); every choice (the text
model's C, the re-scorer's threshold) is made on `validation`; `test` is scored only with --final.
Writes matching/model/v6.json + v6.npz (n-grams kept only when seen in >= 5 different training adverts),
then scores the shipped files through the production path (matching.evaluate.evaluate ->
classify_lines), the phrase matcher alone beside it, and prints a learning curve (validation F1 at
25/50/75/100 % of the training adverts).

    .venv/bin/python bench/train_matcher_v6.py [--final] [--no-curve] [--out DIR]
"""
from __future__ import annotations

import argparse
import hashlib
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

from advert_text.extract import is_boilerplate  # noqa: E402
from advert_text.normalise import fold  # noqa: E402
from matching.evaluate import Scores, evaluate, load_gold  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.learned import (  # noqa: E402
    CHAR_NGRAMS,
    TOKEN_PATTERN,
    WORD_NGRAMS,
    LearnedMatcher,
    LearnedModel,
    TextFeatures,
    model_dir,
    rescorer_rows,
    sigmoid,
    weights_hash,
)
from matching.matcher import Matcher  # noqa: E402

DATA = ROOT / "tests" / "data"
V6_LABELS = DATA / "real_2020_v6_labels.jsonl"
OLD_LABELS = DATA / "real_2020_labels.jsonl"
GOLD, BLIND = DATA / "requirements_gold.jsonl", DATA / "requirements_blind.jsonl"
MIN_ADVERTS = 5          # an n-gram ships only when seen in this many different adverts
MIN_TRAIN_LINES = 10     # a competency gets a text model only with this many labelled training lines
GOLD_WEIGHT = 0.3
FOLDS = 5                # out-of-fold text probabilities for training the re-scorer
TEXT_CANDIDATES = 5
MAX_PER_LINE = 3
C_GRID = (6.0,)  # chosen on validation from 4, 6, 10, 12, 25 (best 6: 0.522); pass --c-grid to search again
PRUNE = 0.02             # text weights smaller than this (in absolute value) are dropped before shipping


def stable_hash(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


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


# ---------------------------------------------------------------- fitting

def build_vocabulary(folded: list[str], adverts: list[str]) -> tuple[list[str], list[str]]:
    """Word and character n-grams of the training lines seen in >= MIN_ADVERTS different adverts."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    advert_index = {a: i for i, a in enumerate(sorted(set(adverts)))}
    rows = np.array([advert_index[a] for a in adverts])
    membership = sparse.csr_matrix((np.ones(len(rows)), (rows, np.arange(len(rows)))),
                                   shape=(len(advert_index), len(rows)))
    vocabularies = []
    for vectorizer in (CountVectorizer(ngram_range=WORD_NGRAMS, token_pattern=TOKEN_PATTERN, lowercase=False,
                                       binary=True),
                       CountVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False, binary=True)):
        x = vectorizer.fit_transform(folded)
        per_advert = (membership @ x) > 0
        advert_df = np.asarray(per_advert.sum(axis=0)).ravel()
        names = vectorizer.get_feature_names_out()
        vocabularies.append(sorted(str(n) for n, df in zip(names, advert_df) if df >= MIN_ADVERTS))
    return vocabularies[0], vocabularies[1]


def fit_idf(features: TextFeatures, folded: list[str]) -> np.ndarray:
    counts = features.counts(folded)
    df = np.bincount(counts.indices, minlength=features.size)
    return np.log((1 + len(folded)) / (1 + df)) + 1.0


def fit_text_model(x, labels: list[set[str]], weights: np.ndarray, competencies: list[str], c: float):
    """One logistic regression per competency: (weights (features, K), bias (K,))."""
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((x.shape[1], len(competencies)))
    bias = np.zeros(len(competencies))
    for k, cid in enumerate(competencies):
        y = np.array([cid in row for row in labels], dtype=int)
        if y.sum() == 0:
            bias[k] = -10.0
            continue
        model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
        model.fit(x, y, sample_weight=weights)
        coef[:, k], bias[k] = model.coef_[0], model.intercept_[0]
    return coef, bias


class Fitted:
    """A text model fitted on some training rows, with its vocabulary."""

    def __init__(self, rows: list[dict], competencies: list[str], c: float):
        real = [r for r in rows if r["advert"] is not None]
        word_vocab, char_vocab = build_vocabulary([r["folded"] for r in real], [r["advert"] for r in real])
        probe = TextFeatures(word_vocab, char_vocab, np.ones(len(word_vocab) + len(char_vocab)))
        idf = fit_idf(probe, [r["folded"] for r in rows])
        self.features = TextFeatures(word_vocab, char_vocab, idf)
        x = self.features.transform([r["folded"] for r in rows])
        self.weights, self.bias = fit_text_model(x, [set(r["competencies"]) for r in rows],
                                                 np.array([r["weight"] for r in rows]), competencies, c)
        self.competencies = competencies

    def probabilities(self, folded: list[str]) -> np.ndarray:
        x = self.features.transform(folded)
        return sigmoid(np.asarray(x @ self.weights) + self.bias)


def learned_competencies(train_rows: list[dict]) -> tuple[list[str], Counter]:
    frequency = Counter(c for r in train_rows if r["advert"] is not None for c in r["competencies"])
    return sorted(c for c, n in frequency.items() if n >= MIN_TRAIN_LINES), frequency


def out_of_fold_probabilities(train_rows: list[dict], competencies: list[str], c: float) -> np.ndarray:
    """Each training line's text probabilities from a model that never saw its advert (gold lines: its fold)."""
    fold_of = [stable_hash(r["advert"] or r["id"]) % FOLDS for r in train_rows]
    probs = np.zeros((len(train_rows), len(competencies)))
    for fold_number in range(FOLDS):
        fit_rows = [r for r, f in zip(train_rows, fold_of) if f != fold_number]
        held = [i for i, f in enumerate(fold_of) if f == fold_number]
        fitted = Fitted(fit_rows, competencies, c)
        probs[held] = fitted.probabilities([train_rows[i]["folded"] for i in held])
    return probs


def fit_rescorer(pairs, features: np.ndarray, labels: list[set[str]], line_weights: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    y = np.array([cid in labels[i] for i, cid in pairs], dtype=int)
    model = LogisticRegression(C=1.0, solver="lbfgs", max_iter=5000)
    model.fit(features, y, sample_weight=line_weights[[i for i, _ in pairs]])
    return model.coef_[0], float(model.intercept_[0])


# ---------------------------------------------------------------- scoring

def decide(pairs, scores, n_lines: int, threshold: float, skip: list[bool]) -> list[set[str]]:
    kept = defaultdict(list)
    for (i, cid), s in zip(pairs, scores):
        if s >= threshold and not skip[i]:
            kept[i].append((-s, cid))
    return [{cid for _, cid in sorted(kept[i])[:MAX_PER_LINE]} for i in range(n_lines)]


def score_sets(gold: list[set[str]], predicted: list[set[str]]) -> tuple[Scores, Scores]:
    competency, domain = Scores(), Scores()
    for g, p in zip(gold, predicted):
        competency.add(g, p)
        domain.add({c.split(".")[0] for c in g}, {c.split(".")[0] for c in p})
    return competency, domain


def skipped(lines: list[str], phrase: Matcher) -> list[bool]:
    """Lines production never answers: boilerplate, or too short once folded."""
    return [is_boilerplate(line) or len(fold(line)) < phrase.config.min_line_chars for line in lines]


def tune_threshold(pairs, scores, gold: list[set[str]], skip: list[bool]) -> tuple[float, float]:
    best = (-1.0, 0.5)
    for threshold in np.round(np.arange(0.04, 0.8, 0.01), 2):
        competency, _ = score_sets(gold, decide(pairs, scores, len(gold), threshold, skip))
        best = max(best, (competency.f1, float(threshold)))
    return best[1], best[0]


def train(train_rows: list[dict], validation: list[dict], phrase: Matcher, phrase_answers: dict[str, list],
          c_grid=C_GRID, log=print) -> tuple[LearnedModel, dict]:
    """Fit on train_rows, choose C and the threshold on validation."""
    competencies, frequency = learned_competencies(train_rows)
    real_train = [r for r in train_rows if r["advert"] is not None]
    val_lines = [r["text"] for r in validation]
    val_gold = [set(r["competencies"]) for r in validation]
    val_skip = skipped(val_lines, phrase)
    best = None
    for c in c_grid:
        oof = out_of_fold_probabilities(train_rows, competencies, c)
        pairs, feats = rescorer_rows(oof, competencies, [phrase_answers[r["text"]] for r in train_rows],
                                     [r["text"] for r in train_rows], frequency, TEXT_CANDIDATES)
        coef, intercept = fit_rescorer(pairs, feats, [set(r["competencies"]) for r in train_rows],
                                       np.array([r["weight"] for r in train_rows]))
        fitted = Fitted(train_rows, competencies, c)
        val_probs = fitted.probabilities([r["folded"] for r in validation])
        vpairs, vfeats = rescorer_rows(val_probs, competencies, [phrase_answers[t] for t in val_lines], val_lines,
                                       frequency, TEXT_CANDIDATES)
        vscores = sigmoid(vfeats @ coef + intercept)
        threshold, f1 = tune_threshold(vpairs, vscores, val_gold, val_skip)
        log(f"  C={c:<5} validation competency F1 {f1:.4f} at threshold {threshold:.2f}")
        if best is None or f1 > best[0]:
            best = (f1, c, threshold, fitted, coef, intercept)
    f1, c, threshold, fitted, coef, intercept = best
    from scipy import sparse

    weights = np.where(np.abs(fitted.weights) >= PRUNE, fitted.weights, 0.0)
    model = LearnedModel(
        framework_ids=sorted(comp.id for comp in phrase.framework.competencies), competencies=competencies,
        word_vocabulary=fitted.features.word_vocabulary, char_vocabulary=fitted.features.char_vocabulary,
        idf=fitted.features.idf, weights=sparse.csr_matrix(weights), bias=fitted.bias, rescorer_coef=coef,
        rescorer_intercept=intercept, threshold=threshold, max_per_line=MAX_PER_LINE,
        text_candidates=TEXT_CANDIDATES, train_frequency={cid: int(n) for cid, n in frequency.items()},
        info={"c": c, "min_adverts": MIN_ADVERTS, "min_train_lines": MIN_TRAIN_LINES, "gold_weight": GOLD_WEIGHT,
              "train_lines": len(real_train), "gold_lines": len(train_rows) - len(real_train),
              "validation_f1_when_chosen": round(f1, 4), "prune": PRUNE})
    return model, {"c": c, "threshold": threshold, "validation_f1": f1}


def figures(evaluation) -> str:
    c, d = evaluation.competency, evaluation.domain
    return (f"competency F1 {c.f1:.3f} (P {c.precision:.3f} R {c.recall:.3f})  "
            f"domain F1 {d.f1:.3f} (P {d.precision:.3f} R {d.recall:.3f})  [{evaluation.lines} lines]")


def compare(name: str, rows: list[dict], results: dict, model_path: Path) -> None:
    """Both matchers fresh for each set (the phrase matcher remembers words between calls)."""
    if not rows:
        return
    phrase = Matcher(load_framework())
    learned = LearnedMatcher(Matcher(load_framework()), LearnedModel.load(model_path), weights_hash(model_path))
    p, l_ = evaluate(phrase, rows, learned_stage=False), evaluate(learned, rows)
    print(f"{name}\n  phrase  {figures(p)}\n  learned {figures(l_)}")
    results[name] = {"phrase": {"competency": p.competency.as_dict(), "domain": p.domain.as_dict()},
                     "learned": {"competency": l_.competency.as_dict(), "domain": l_.domain.as_dict()},
                     "lines": len(rows)}


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
    v6 = [json.loads(line) for line in V6_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    old = [json.loads(line) for line in OLD_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts, advert_split = rebuild_texts({r["key"] for r in v6} | {r["key"] for r in old})
    missing = [r["key"] for r in v6 if r["key"] not in texts]
    if missing:
        raise SystemExit(f"{len(missing)} v6 labelled lines are not in the corpus (first: {missing[0]})")

    def row(key, competencies, split=None):
        text = texts[key]
        return {"id": key, "text": text, "folded": fold(text), "competencies": list(competencies),
                "advert": key.split(":")[0], "weight": 1.0, "split": split}

    by_split = defaultdict(list)
    for r in v6:
        by_split[r["split"]].append(row(r["key"], r["competencies"], r["split"]))
    gold_rows = [{"id": g["id"], "text": g["text"], "folded": fold(g["text"]), "competencies": g["competencies"],
                  "advert": None, "weight": GOLD_WEIGHT} for g in load_gold(GOLD)]
    print(f"v6 lines: {', '.join(f'{s} {len(rs)}' for s, rs in sorted(by_split.items()))}; "
          f"gold lines in training (weight {GOLD_WEIGHT}): {len(gold_rows)}  [{time.monotonic() - started:.0f}s]")

    framework = load_framework()
    phrase = Matcher(framework)
    every_line = sorted({r["text"] for rs in by_split.values() for r in rs} | {r["text"] for r in gold_rows})
    phrase_answers = dict(zip(every_line, phrase.match_lines(every_line)))

    train_rows = by_split["train"] + gold_rows
    print("choosing C and the threshold on validation:")
    model, chosen = train(train_rows, by_split["validation"], phrase, phrase_answers, c_grid=args.c_grid)
    json_path, npz_path = model.save(args.out)
    print(f"wrote {json_path} ({json_path.stat().st_size / 1e6:.2f} MB) and {npz_path} "
          f"({npz_path.stat().st_size / 1e6:.2f} MB): {len(model.competencies)} competencies learned, "
          f"{len(model.word_vocabulary)} word + {len(model.char_vocabulary)} character n-grams, "
          f"{model.weights.nnz} weights, threshold {model.threshold:.2f}, weights hash {weights_hash(args.out)}")

    learned = LearnedMatcher(phrase, LearnedModel.load(args.out), weights_hash(args.out))
    results = {"chosen": chosen, "version": learned.version}
    print("\nscored through the production path (boilerplate filter, then the matcher):")
    compare("v6 validation", by_split["validation"], results, args.out)
    if args.final:
        compare("v6 test (scored once)", by_split["test"], results, args.out)
    old_rows = [{"id": r["key"], "text": texts[r["key"]], "competencies": r["competencies"],
                 "split": advert_split.get(r["key"].split(":")[0])} for r in old if r["key"] in texts]
    if len(old_rows) < len(old):
        print(f"(old set: {len(old) - len(old_rows)} lines not rebuilt)")
    compare("old 1,500 real lines, all (includes lines of v6 training adverts)", old_rows, results, args.out)
    unseen = [r for r in old_rows if r["split"] == "validation" or (args.final and r["split"] == "test")]
    compare(f"old real lines from employers never trained on ({'validation+test' if args.final else 'validation'})",
            unseen, results, args.out)
    compare("gold (helper-written; in training at weight 0.3)", load_gold(GOLD), results, args.out)
    compare("blind (helper-written; never trained on)", load_gold(BLIND), results, args.out)

    if not args.no_curve:
        print("\nlearning curve (validation, C and threshold re-chosen on validation at each size):")
        adverts = sorted({r["advert"] for r in by_split["train"]}, key=stable_hash)
        curve = {}
        for share in (25, 50, 75, 100):
            kept = set(adverts[: round(len(adverts) * share / 100)])
            rows = [r for r in by_split["train"] if r["advert"] in kept]
            part, _ = train(rows + gold_rows, by_split["validation"], phrase, phrase_answers, c_grid=(chosen["c"],),
                            log=lambda *_: None)
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                part.save(Path(tmp))
                matcher = LearnedMatcher(phrase, LearnedModel.load(Path(tmp)), "curve")
                evaluation = evaluate(matcher, by_split["validation"])
            curve[share] = {"train_lines": len(rows), "competency_f1": round(evaluation.competency.f1, 4),
                            "domain_f1": round(evaluation.domain.f1, 4)}
            print(f"  {share:3d}% ({len(rows):4d} lines, {len(kept)} adverts): {figures(evaluation)}")
        results["learning_curve"] = curve
    if args.results:
        args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\ndone in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

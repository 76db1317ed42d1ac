"""Experiments on the learned stage's re-scorer and thresholds (issue 17: per-domain found/labelled, F1).

Builds (once, cached outside the repository in --cache, texts included, never committed) the text model's
out-of-fold probabilities on the training lines and its probabilities on validation, gold and blind lines, for the
competencies plus line-level targets ("asks anything", each domain), and the phrase matcher's answers at the
shipped threshold and a looser one. Then fits re-scorer variants on the training lines and reports, on validation:
competency and domain micro-F1 / P / R, found/labelled per domain, and gold / blind F1 at the same settings.
The test split is never loaded.

    .venv/bin/python bench/v6_rescorer_experiments.py [--cache /tmp/cij/cache.pkl] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import train_matcher_v6 as trainer  # noqa: E402

from advert_text.normalise import fold  # noqa: E402
from matching.evaluate import load_gold  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.learned import TextFeatures, rescorer_rows, sigmoid  # noqa: E402
from matching.matcher import Matcher, load_config  # noqa: E402
from matching.phrase_reliability import PhraseReliability  # noqa: E402
from matching.training import (  # noqa: E402
    FOLDS,
    MAX_PER_LINE,
    TEXT_CANDIDATES,
    build_vocabulary,
    fit_idf,
    fit_text_model,
    learned_competencies,
    skipped,
    stable_hash,
)

LINE_TARGETS = ("any", "D1", "D2", "D3", "D4", "D5", "D6")
BASE_FEATURES = 15  # the re-scorer's features before these experiments; each variant adds its own
LOOSE_THRESHOLD = 80
DOMAINS = ("1", "2", "3", "4", "5", "6")


def targets_of(row: dict) -> set[str]:
    labels = set(row["competencies"])
    return labels | ({"any"} if labels else set()) | {f"D{c.split('.')[0]}" for c in labels}


def fit_probabilities(fit_rows: list[dict], targets: list[str], score: list[list[dict]], c: float = 8.0):
    real = [r for r in fit_rows if r["advert"] is not None]
    words, chars = build_vocabulary([r["folded"] for r in real], [r["advert"] for r in real])
    probe = TextFeatures(words, chars, np.ones(len(words) + len(chars)))
    features = TextFeatures(words, chars, fit_idf(probe, [r["folded"] for r in fit_rows]))
    x = features.transform([r["folded"] for r in fit_rows]).tocsr()
    weights, bias = fit_text_model(x, [targets_of(r) for r in fit_rows], np.array([r["weight"] for r in fit_rows]),
                                   targets, c)
    return [sigmoid(features.transform([r["folded"] for r in rows]).dot(weights) + bias) for rows in score]


def build_cache(path: Path) -> dict:
    started = time.monotonic()
    by_split, gold_rows, _ = trainer.load_rows()
    blind_rows = [{"id": g["id"], "text": g["text"], "folded": fold(g["text"]), "competencies": g["competencies"],
                   "advert": None, "weight": 1.0} for g in load_gold(trainer.BLIND)]
    train_rows = by_split["train"] + gold_rows
    validation = by_split["validation"]
    competencies, frequency = learned_competencies(train_rows)
    targets = competencies + list(LINE_TARGETS)
    print(f"rows loaded [{time.monotonic() - started:.0f}s]", flush=True)
    fold_of = [stable_hash(r["advert"] or r["id"]) % FOLDS for r in train_rows]
    oof = np.zeros((len(train_rows), len(targets)))
    for number in range(FOLDS):
        held = [i for i, f in enumerate(fold_of) if f == number]
        (probs,) = fit_probabilities([r for r, f in zip(train_rows, fold_of) if f != number], targets,
                                     [[train_rows[i] for i in held]])
        oof[held] = probs
        print(f"fold {number} [{time.monotonic() - started:.0f}s]", flush=True)
    val_p, gold_p, blind_p = fit_probabilities(train_rows, targets, [validation, gold_rows, blind_rows])
    phrase = Matcher(load_framework())
    loose = Matcher(load_framework(), dataclasses.replace(load_config(), threshold=LOOSE_THRESHOLD, top_k=6))
    texts = sorted({r["text"] for rows in (train_rows, validation, blind_rows) for r in rows})
    answers = dict(zip(texts, phrase.match_lines(texts)))
    loose_answers = dict(zip(texts, loose.match_lines(texts)))
    cache = {"train": train_rows, "validation": validation, "gold": gold_rows, "blind": blind_rows,
             "competencies": competencies, "frequency": frequency, "targets": targets,
             "probs": {"train": oof, "validation": val_p, "gold": gold_p, "blind": blind_p},
             "answers": answers, "loose": loose_answers}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(cache))
    print(f"cache written [{time.monotonic() - started:.0f}s]", flush=True)
    return cache


# ---------------------------------------------------------------- candidate features


def phrase_of(evidence: str) -> str | None:
    """The key phrase a phrase-matcher answer quotes ("'phrase' ~ 'line words'"), None for the fallback's."""
    return evidence[1:].split("' ~ '")[0] if evidence.startswith("'") else None


PRIOR_WEIGHT = 3.0


def phrase_reliability(cache: dict):
    """Per training fold, right/all counts of each (competency, key phrase) and each competency's phrase answers on
    the real training lines; a line's own fold is left out of its counts (gold lines count in no fold). (The
    experiments ran with this version, which counts a fallback answer twice in its competency's row;
    matching/phrase_reliability.py, what ships, counts it once.)"""
    counts = [Counter() for _ in range(FOLDS)]
    for row in cache["train"]:
        if row["advert"] is None:
            continue
        f = stable_hash(row["advert"]) % FOLDS
        for m in cache["answers"][row["text"]]:
            right = m.competency_id in row["competencies"]
            for key in ((m.competency_id, phrase_of(m.evidence)), (m.competency_id, None)):
                counts[f][key + ("n",)] += 1
                counts[f][key + ("right",)] += right
    total = sum(counts, Counter())
    prior = sum(v for k, v in total.items() if k[1] is None and k[2] == "right") / max(
        1, sum(v for k, v in total.items() if k[1] is None and k[2] == "n"))
    return counts, total, prior


def reliability_columns(cache: dict, split: str, pairs, answers) -> np.ndarray:
    counts, total, prior = cache.setdefault("_reliability", None) or phrase_reliability(cache)
    cache["_reliability"] = (counts, total, prior)
    rows = cache[split]
    out = np.zeros((len(pairs), 4))
    for j, (i, cid) in enumerate(pairs):
        found = next((m for m in answers[i] if m.competency_id == cid), None)
        if found is None:
            continue
        row = rows[i]
        own = counts[stable_hash(row["advert"]) % FOLDS] if split == "train" and row["advert"] is not None else None
        c_n = total[(cid, None, "n")] - (own[(cid, None, "n")] if own else 0)
        c_r = total[(cid, None, "right")] - (own[(cid, None, "right")] if own else 0)
        comp_p = (c_r + PRIOR_WEIGHT * prior) / (c_n + PRIOR_WEIGHT)
        key = (cid, phrase_of(found.evidence))
        p_n = total[key + ("n",)] - (own[key + ("n",)] if own else 0)
        p_r = total[key + ("right",)] - (own[key + ("right",)] if own else 0)
        out[j] = ((p_r + PRIOR_WEIGHT * comp_p) / (p_n + PRIOR_WEIGHT), math.log1p(p_n), comp_p, math.log1p(c_n))
    return out


def candidate_table(cache: dict, split: str, extras: tuple[str, ...], answers_key: str = "answers"):
    """(pairs, base features, extra feature columns by name) for one split's lines."""
    rows = cache[split]
    lines = [r["text"] for r in rows]
    probs = cache["probs"][split]
    k = len(cache["competencies"])
    text, line_p = probs[:, :k], probs[:, k:]
    answers = [cache[answers_key][t] for t in lines]
    pairs, shipped = rescorer_rows(text, cache["competencies"], answers, lines, cache["frequency"], TEXT_CANDIDATES,
                                   line_p[:, 0], PhraseReliability())
    base = shipped[:, :BASE_FEATURES]
    columns = []
    line_index = np.array([i for i, _ in pairs], dtype=int)
    domain_index = np.array([int(cid.split(".")[0]) - 1 for _, cid in pairs], dtype=int)
    any_p = line_p[line_index, 0]
    domain_p = line_p[line_index, 1 + domain_index]
    phrase_found = base[:, 4]
    loose = [{m.competency_id: m.score for m in cache["loose"][t]} for t in lines]
    loose_score = np.array([loose[i].get(cid, 0.0) / 100 for i, cid in pairs])
    for name in extras:
        if name == "any":
            columns.append(any_p)
        elif name == "any_logit":
            columns.append(np.log(np.clip(any_p, 1e-4, 1 - 1e-4) / (1 - np.clip(any_p, 1e-4, 1 - 1e-4))))
        elif name == "domain_p":
            columns.append(domain_p)
        elif name == "domain_logit":
            columns.append(np.log(np.clip(domain_p, 1e-4, 1 - 1e-4) / (1 - np.clip(domain_p, 1e-4, 1 - 1e-4))))
        elif name == "any_x_phrase":
            columns.append(any_p * phrase_found)
        elif name == "domain_onehot":
            columns += [(domain_index == d).astype(float) for d in range(6)]
        elif name == "domain_x_phrase":
            columns += [((domain_index == d) * phrase_found).astype(float) for d in range(6)]
        elif name == "loose":
            columns.append(loose_score)
        elif name == "loose_only":
            columns.append(loose_score * (1 - phrase_found))
        elif name == "reliability":
            columns += list(reliability_columns(cache, split, pairs, answers).T)
        elif name == "phrase_precision":
            columns.append(reliability_columns(cache, split, pairs, answers)[:, 0])
        elif name == "comp_onehot":
            frequent = sorted(c for c, n in cache["frequency"].items() if n >= 60)
            columns += [np.array([cid == c for _, cid in pairs], dtype=float) for c in frequent]
        elif name == "text_max":
            columns.append(text.max(axis=1)[line_index])
        else:
            raise ValueError(name)
    extra = np.column_stack(columns) if columns else np.zeros((len(pairs), 0))
    return pairs, np.hstack([base, extra]), domain_index


def fit_lr(features, pairs, rows, weights, c: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    y = np.array([cid in rows[i]["competencies"] for i, cid in pairs], dtype=int)
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=5000)
    model.fit(features, y, sample_weight=weights[[i for i, _ in pairs]])
    return lambda f: sigmoid(f @ model.coef_[0] + model.intercept_[0])


def fit_gbm(features, pairs, rows, weights):
    from sklearn.ensemble import HistGradientBoostingClassifier

    y = np.array([cid in rows[i]["competencies"] for i, cid in pairs], dtype=int)
    model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_depth=3, early_stopping=False,
                                           random_state=0)
    model.fit(features, y, sample_weight=weights[[i for i, _ in pairs]])
    return lambda f: model.predict_proba(f)[:, 1]


# ---------------------------------------------------------------- deciding and scoring


def decide(pairs, scores, domain_index, n_lines: int, thresholds: np.ndarray, skip: list[bool]) -> list[set[str]]:
    """Candidates at or above their domain's threshold, best first, at most MAX_PER_LINE."""
    kept: dict[int, list] = {}
    keep = scores >= thresholds[domain_index]
    for (i, cid), s, ok in zip(pairs, scores, keep):
        if ok and not skip[i]:
            kept.setdefault(i, []).append((-s, cid))
    return [{cid for _, cid in sorted(kept.get(i, []))[:MAX_PER_LINE]} for i in range(n_lines)]


@dataclasses.dataclass
class Result:
    f1: float
    p: float
    r: float
    dom_f1: float
    dom_p: float
    dom_r: float
    ratios: dict[str, float]
    labelled: dict[str, int]

    @property
    def worst(self) -> float:
        return max(abs(v - 1) for v in self.ratios.values())

    def line(self) -> str:
        ratios = " ".join(f"{d}:{self.ratios.get(d, float('nan')):.2f}" for d in DOMAINS)
        return (f"comp F1 {self.f1:.3f} (P {self.p:.3f} R {self.r:.3f})  dom F1 {self.dom_f1:.3f} "
                f"(P {self.dom_p:.3f} R {self.dom_r:.3f})  ratios {ratios}  worst |r-1| {self.worst:.2f}")


def score(rows: list[dict], predicted: list[set[str]]) -> Result:
    tp = fp = fn = dtp = dfp = dfn = 0
    found, labelled = Counter(), Counter()
    for row, p in zip(rows, predicted):
        g = set(row["competencies"])
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
        gd, pd = {c.split(".")[0] for c in g}, {c.split(".")[0] for c in p}
        dtp, dfp, dfn = dtp + len(gd & pd), dfp + len(pd - gd), dfn + len(gd - pd)
        found.update(pd)
        labelled.update(gd)

    def prf(t, f_p, f_n):
        p = t / (t + f_p) if t + f_p else 1.0
        r = t / (t + f_n) if t + f_n else 1.0
        return (2 * p * r / (p + r) if p + r else 0.0), p, r

    ratios = {d: found[d] / labelled[d] for d in DOMAINS if labelled[d]}
    return Result(*prf(tp, fp, fn), *prf(dtp, dfp, dfn), ratios, dict(labelled))


class Split:
    """One split's candidates, ready to score under any re-scorer and thresholds."""

    def __init__(self, cache: dict, name: str, extras: tuple[str, ...], answers_key: str = "answers"):
        self.rows = cache[name]
        self.pairs, self.features, self.domain_index = candidate_table(cache, name, extras, answers_key)
        phrase = Matcher(load_framework())
        self.skip = skipped([r["text"] for r in self.rows], phrase)

    def subset(self, keep_line) -> Split:
        """The same split restricted to the lines ``keep_line(row)`` accepts."""
        part = object.__new__(Split)
        kept = [i for i, row in enumerate(self.rows) if keep_line(row)]
        new_index = {old: new for new, old in enumerate(kept)}
        chosen = [j for j, (i, _) in enumerate(self.pairs) if i in new_index]
        part.rows = [self.rows[i] for i in kept]
        part.skip = [self.skip[i] for i in kept]
        part.pairs = [(new_index[self.pairs[j][0]], self.pairs[j][1]) for j in chosen]
        part.features, part.domain_index = self.features[chosen], self.domain_index[chosen]
        return part

    def evaluate(self, scorer, thresholds) -> Result:
        thresholds = np.broadcast_to(np.asarray(thresholds, dtype=float), (6,))
        scores = scorer(self.features)
        return score(self.rows, decide(self.pairs, scores, self.domain_index, len(self.rows), thresholds, self.skip))


def tune_global(split: Split, scorer) -> tuple[float, Result]:
    best = None
    scores = scorer(split.features)
    for t in np.round(np.arange(0.04, 0.8, 0.01), 2):
        predicted = decide(split.pairs, scores, split.domain_index, len(split.rows), np.full(6, t), split.skip)
        result = score(split.rows, predicted)
        if best is None or result.f1 > best[1].f1:
            best = (float(t), result)
    return best


def excess(result: Result) -> float:
    """How far the per-domain ratios lie outside 0.90-1.10, summed (0 when every domain is inside)."""
    return sum(max(0.0, abs(v - 1) - 0.10) for v in result.ratios.values())


def tune_per_domain(split: Split, scorer, start: float, objective: str, rounds: int = 4):
    """Coordinate search over per-domain thresholds on one split. "balanced": least summed excess outside
    0.9-1.1, then the best F1; "near_best": F1 no more than 0.005 below the start's, then least excess."""
    scores = scorer(split.features)
    grid = np.round(np.arange(0.04, 0.9, 0.01), 2)

    def evaluate(th):
        return score(split.rows, decide(split.pairs, scores, split.domain_index, len(split.rows), th, split.skip))

    thresholds = np.full(6, start)
    best = evaluate(thresholds)
    floor = best.f1 - 0.005

    def key(result: Result):
        if objective == "balanced":
            return (-round(excess(result), 6), result.f1)
        return (result.f1 >= floor, -round(excess(result), 6), result.f1)

    for _ in range(rounds):
        for d in range(6):
            for t in grid:
                trial = thresholds.copy()
                trial[d] = t
                result = evaluate(trial)
                if key(result) > key(best):
                    best, thresholds = result, trial
    return thresholds, best


def half_of(row: dict) -> int:
    return stable_hash("half:" + row["advert"]) % 2


def robustness(cache: dict, name: str, extras: tuple[str, ...]) -> None:
    """Are per-domain thresholds learned or fitted? Tuned on one half of validation's adverts and scored on the
    other, and tuned on the training lines' out-of-fold candidates (real lines only) and scored on validation."""
    splits = {s: Split(cache, s, extras) for s in ("train", "validation")}
    weights = np.array([0.0 if s else r["weight"] for r, s in zip(cache["train"], splits["train"].skip)])
    scorer = fit_lr(splits["train"].features, splits["train"].pairs, cache["train"], weights)
    validation = splits["validation"]
    for tuned_half in (0, 1):
        tune = validation.subset(lambda r, h=tuned_half: half_of(r) == h)
        other = validation.subset(lambda r, h=tuned_half: half_of(r) != h)
        t, _ = tune_global(tune, scorer)
        th, _ = tune_per_domain(tune, scorer, t, "near_best")
        print(f"{name}: tuned on validation half {tuned_half} ({len(tune.rows)} lines), scored on the other "
              f"({len(other.rows)} lines; labelled per domain {other.evaluate(scorer, t).labelled})\n"
              f"   global t={t:.2f}       {other.evaluate(scorer, t).line()}\n"
              f"   per-domain {' '.join(f'{x:.2f}' for x in th)} {other.evaluate(scorer, th).line()}", flush=True)
    real_train = splits["train"].subset(lambda r: r["advert"] is not None)
    t, in_train = tune_global(real_train, scorer)
    th, in_train_d = tune_per_domain(real_train, scorer, t, "near_best")
    print(f"{name}: tuned on the training lines' out-of-fold candidates ({len(real_train.rows)} real lines)\n"
          f"   global t={t:.2f}       train {in_train.line()}\n      validation {validation.evaluate(scorer, t).line()}"
          f"\n   per-domain {' '.join(f'{x:.2f}' for x in th)} train {in_train_d.line()}\n      validation "
          f"{validation.evaluate(scorer, th).line()}", flush=True)


def threshold_methods(cache: dict, name: str, extras: tuple[str, ...]) -> None:
    """The ways of setting thresholds, scored on validation: global on validation; per domain on the training lines'
    out-of-fold candidates; those plus one shift chosen on validation; per domain on validation (in-sample)."""
    splits = {s: Split(cache, s, extras) for s in ("train", "validation", "gold", "blind")}
    weights = np.array([0.0 if s else r["weight"] for r, s in zip(cache["train"], splits["train"].skip)])
    scorer = fit_lr(splits["train"].features, splits["train"].pairs, cache["train"], weights)
    validation = splits["validation"]
    real_train = splits["train"].subset(lambda r: r["advert"] is not None)

    def show(label, th):
        gold, blind = (splits[s].evaluate(scorer, th) for s in ("gold", "blind"))
        th = np.broadcast_to(np.asarray(th, dtype=float), (6,))
        print(f"  {label:<34} {' '.join(f'{x:.2f}' for x in th)}\n    val {validation.evaluate(scorer, th).line()}"
              f"\n    gold F1 {gold.f1:.3f} blind F1 {blind.f1:.3f}", flush=True)

    print(name)
    t_val, _ = tune_global(validation, scorer)
    show("global, on validation", t_val)
    t_train, _ = tune_global(real_train, scorer)
    show("global, on train OOF", t_train)
    for objective in ("near_best", "balanced"):
        th, _ = tune_per_domain(real_train, scorer, t_train, objective)
        show(f"per domain, train OOF ({objective})", th)
        shifts = np.round(np.arange(-0.10, 0.101, 0.01), 2)
        best = max(shifts, key=lambda d: (validation.evaluate(scorer, th + d).f1, -abs(d)))
        show(f"  + shift {best:+.2f} on validation", th + best)
    th, _ = tune_per_domain(validation, scorer, t_val, "near_best")
    show("per domain, on validation", th)


def mean_deviation(result: Result) -> float:
    return float(np.mean([abs(v - 1) for v in result.ratios.values()]))


def transfer(cache: dict, name: str, extras: tuple[str, ...]) -> None:
    """Which way of setting thresholds carries to adverts it was not set on: each method set with one half of
    validation's adverts (and the training lines), scored on the other half; both directions summed."""
    splits = {s: Split(cache, s, extras) for s in ("train", "validation")}
    weights = np.array([0.0 if s else r["weight"] for r, s in zip(cache["train"], splits["train"].skip)])
    scorer = fit_lr(splits["train"].features, splits["train"].pairs, cache["train"], weights)
    real_train = splits["train"].subset(lambda r: r["advert"] is not None)
    t_train, _ = tune_global(real_train, scorer)
    per_domain_train, _ = tune_per_domain(real_train, scorer, t_train, "near_best")
    shifts = np.round(np.arange(-0.10, 0.101, 0.01), 2)
    print(name)
    for tuned_half in (0, 1):
        tune = splits["validation"].subset(lambda r, h=tuned_half: half_of(r) == h)
        other = splits["validation"].subset(lambda r, h=tuned_half: half_of(r) != h)
        t, _ = tune_global(tune, scorer)
        shift = max(shifts, key=lambda d: (tune.evaluate(scorer, per_domain_train + d).f1, -abs(d)))
        methods = {"global on half": np.full(6, t), "per domain on train": per_domain_train,
                   "per domain on train + shift on half": per_domain_train + shift,
                   "per domain on half": tune_per_domain(tune, scorer, t, "near_best")[0]}
        for label, th in methods.items():
            result = other.evaluate(scorer, th)
            print(f"  half {tuned_half} -> other, {label:<36} mean |r-1| {mean_deviation(result):.2f}  "
                  f"{result.line()}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/cij/cache.pkl"))
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--robustness", action="store_true", help="the half-split and train-tuned checks instead")
    parser.add_argument("--lr-only", action="store_true")
    parser.add_argument("--transfer", action="store_true", help="do threshold methods carry across halves?")
    parser.add_argument("--thresholds", action="store_true", help="compare the ways of setting thresholds")
    args = parser.parse_args()
    cache = pickle.loads(args.cache.read_bytes()) if args.cache.is_file() else build_cache(args.cache)
    train_w = None
    any_domain = ("any", "any_logit", "domain_p", "domain_logit", "domain_onehot")
    variants = {
        "baseline": (),
        "+any+domain_p+onehot": any_domain,
        "+A+x+max": any_domain + ("any_x_phrase", "domain_x_phrase", "text_max"),
        "+A+prec": any_domain + ("phrase_precision",),
        "+A+rel": any_domain + ("reliability",),
        "+A+rel+comp": any_domain + ("reliability", "comp_onehot"),
        "+A+x+max+rel": any_domain + ("any_x_phrase", "domain_x_phrase", "text_max", "reliability"),
        "+A+x+max+rel+comp": any_domain + ("any_x_phrase", "domain_x_phrase", "text_max", "reliability",
                                           "comp_onehot"),
    }
    variants.update({"+rel": ("reliability",), "+any+rel": ("any", "any_logit", "reliability"),
                     "+any+domain_p+rel": ("any", "any_logit", "domain_p", "domain_logit", "reliability")})
    for name, extras in variants.items():
        if args.only and name not in args.only:
            continue
        if args.robustness:
            robustness(cache, name, extras)
            continue
        if args.transfer:
            transfer(cache, name, extras)
            continue
        if args.thresholds:
            threshold_methods(cache, name, extras)
            continue
        splits = {s: Split(cache, s, extras) for s in ("train", "validation", "gold", "blind")}
        if train_w is None:
            train_w = np.array([0.0 if s else r["weight"] for r, s in zip(cache["train"], splits["train"].skip)])
        for kind, fit in (("lr", fit_lr),) + (() if args.lr_only else (("gbm", fit_gbm),)):
            scorer = fit(splits["train"].features, splits["train"].pairs, cache["train"], train_w)
            t, val = tune_global(splits["validation"], scorer)
            gold, blind = (splits[s].evaluate(scorer, t) for s in ("gold", "blind"))
            print(f"{name:<28} {kind:<3} t={t:.2f} val {val.line()}\n{'':33}gold F1 {gold.f1:.3f} blind F1 "
                  f"{blind.f1:.3f}", flush=True)
            for objective in ("near_best", "balanced"):
                th, res = tune_per_domain(splits["validation"], scorer, t, objective)
                gold, blind = (splits[s].evaluate(scorer, th) for s in ("gold", "blind"))
                print(f"{'':33}per-domain {objective:<9} {' '.join(f'{x:.2f}' for x in th)}\n{'':33}val "
                      f"{res.line()}\n{'':33}gold F1 {gold.f1:.3f} blind F1 {blind.f1:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

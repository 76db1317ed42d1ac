"""Fitting the learned stage (matcher v6) from labelled lines: the one trainer `bench/train_matcher_v6.py` (the
shipped model, from the labelled 2020 corpus) and `cijobs train` (a user's own labels) share.

A training row is a dict: ``id``, ``text``, ``folded`` (``advert_text.normalise.fold`` of the text),
``competencies`` (ids), ``advert`` (the advert it came from; None for a helper-written line, which is then not
counted as an advert) and ``weight`` (its sample weight in the text model and the re-scorer). Deterministic: the
same rows give the same weights, byte for byte.

1. Vocabulary: word 1-2 and character 2-5 grams seen in at least ``MIN_ADVERTS`` different adverts (so no
   advert's wording can be rebuilt from the shipped files), TF-IDF over the training lines.
2. Text model: one logistic regression per competency with at least ``MIN_TRAIN_LINES`` labelled training lines
   (the rest reach answers only through the phrase matcher).
3. Re-scorer: one logistic regression over each candidate's features (``learned.rescorer_rows``), fitted on
   out-of-fold text probabilities (each line scored by a text model that never saw its advert).
4. On validation: the text model's C, the re-scorer's threshold, and the phrase matcher's gate (only with
   helper-written lines to guard: a gate must not cost them more than ``GATE_COST``).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

import numpy as np

from advert_text.extract import is_boilerplate
from advert_text.normalise import fold
from matching.evaluate import Scores
from matching.framework import load_framework
from matching.learned import (
    CHAR_NGRAMS,
    TOKEN_PATTERN,
    WORD_NGRAMS,
    LearnedModel,
    TextFeatures,
    gated_phrase_answers,
    rescorer_rows,
    sigmoid,
)
from matching.matcher import Matcher

MIN_ADVERTS = 5          # an n-gram ships only when seen in this many different adverts
MIN_TRAIN_LINES = 10     # a competency gets a text model only with this many labelled training lines
FOLDS = 5                # out-of-fold text probabilities for training the re-scorer
TEXT_CANDIDATES = 5
MAX_PER_LINE = 3
C_GRID = (8.0,)  # validation, both rounds: C 4 0.486, 8 0.489 (gold weight 0.3); 8 0.498, 12 0.493 (1.0)
GATES = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2) # phrase-matcher gates tried on validation
GATE_COST = 0.003        # validation F1 the gate may cost (the phrase matcher is most of the learned stage's time)
PRUNE = 0.02             # text weights smaller than this (in absolute value) are dropped before shipping


class TrainingError(ValueError):
    """The labelled lines cannot train a model (too few adverts, one class only): the message says why."""


def stable_hash(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


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
        try:
            x = vectorizer.fit_transform(folded)
        except ValueError:  # no n-gram at all (empty lines only)
            vocabularies.append([])
            continue
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
        if y.sum() == 0 or y.sum() == len(y):  # one class only (a small fold): a constant answer
            bias[k] = -10.0 if y.sum() == 0 else 10.0
            continue
        model = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=1000, random_state=0)  # dual: fast
        model.fit(x, y, sample_weight=weights)
        coef[:, k], bias[k] = model.coef_[0], model.intercept_[0]
    return coef, bias


class Fitted:
    """A text model fitted on some training rows, with its vocabulary."""

    def __init__(self, rows: list[dict], competencies: list[str], c: float):
        real = [r for r in rows if r["advert"] is not None]
        word_vocab, char_vocab = build_vocabulary([r["folded"] for r in real], [r["advert"] for r in real])
        if not word_vocab and not char_vocab:
            raise TrainingError(f"no word or character n-gram of the training lines is in {MIN_ADVERTS} different "
                                "adverts: label lines of more adverts")
        probe = TextFeatures(word_vocab, char_vocab, np.ones(len(word_vocab) + len(char_vocab)))
        idf = fit_idf(probe, [r["folded"] for r in rows])
        self.features = TextFeatures(word_vocab, char_vocab, idf)
        x = self.features.transform([r["folded"] for r in rows]).tocsr()
        self.weights, self.bias = fit_text_model(x, [set(r["competencies"]) for r in rows],
                                                 np.array([r["weight"] for r in rows]), competencies, c)
        self.competencies = competencies

    def probabilities(self, folded: list[str]) -> np.ndarray:
        return sigmoid(self.features.transform(folded).dot(self.weights) + self.bias)


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
        if not held:
            continue
        fitted = Fitted(fit_rows, competencies, c)
        probs[held] = fitted.probabilities([train_rows[i]["folded"] for i in held])
    return probs


def fit_rescorer(pairs, features: np.ndarray, labels: list[set[str]], line_weights: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    y = np.array([cid in labels[i] for i, cid in pairs], dtype=int)
    if len(set(y.tolist())) < 2:
        raise TrainingError("every candidate competency of the training lines is " + ("right" if len(y) and y[0]
                            else "wrong") + ": nothing to learn from; label more lines, with and without competencies")
    model = LogisticRegression(C=1.0, solver="lbfgs", max_iter=5000)
    model.fit(features, y, sample_weight=line_weights[[i for i, _ in pairs]])
    return model.coef_[0], float(model.intercept_[0])


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


def gated_f1(rows: list[dict], probs, competencies, phrase_answers, frequency, coef, intercept, threshold,
             gate: float) -> float:
    lines = [r["text"] for r in rows]
    gold, skip = [set(r["competencies"]) for r in rows], skipped(lines, Matcher(load_framework()))
    answers = gated_phrase_answers(lambda ls: [phrase_answers[t] for t in ls], lines, probs, gate)
    pairs, feats = rescorer_rows(probs, competencies, answers, lines, frequency, TEXT_CANDIDATES)
    return score_sets(gold, decide(pairs, sigmoid(feats @ coef + intercept), len(gold), threshold, skip))[0].f1


def choose_gate(sets: dict[str, tuple[list[dict], np.ndarray]], *scorer, log=print) -> float:
    """Among the gates that cost the helper-written gold lines at most GATE_COST (they ask for rare competencies the
    text model does not know, so a gate hurts them), the highest within GATE_COST of the best validation F1."""
    scored = []
    for gate in GATES:
        f1 = {name: gated_f1(rows, probs, *scorer, gate) for name, (rows, probs) in sets.items()}
        asked = float(np.mean(sets["validation"][1].max(axis=1) >= gate)) if gate else 1.0
        log(f"  phrase gate {gate:.3f}: " + ", ".join(f"{n} F1 {v:.4f}" for n, v in f1.items())
            + f"; {asked:.0%} of validation lines asked of the phrase matcher")
        scored.append((gate, f1))
    ungated = scored[0][1]
    allowed = [(gate, f1["validation"]) for gate, f1 in scored if f1["gold"] >= ungated["gold"] - GATE_COST]
    top = max(f1 for _, f1 in allowed)
    return max(gate for gate, f1 in allowed if f1 >= top - GATE_COST)


def train(train_rows: list[dict], validation: list[dict], phrase: Matcher, phrase_answers: dict[str, list],
          c_grid=C_GRID, log=print, gold_weight: float = 1.0, notes: dict | None = None) -> tuple[LearnedModel, dict]:
    """Fit on train_rows, choose C, the threshold and the phrase matcher's gate on validation.

    ``phrase_answers`` maps every line's text to the phrase matcher's answer; ``gold_weight`` (the weight the
    caller gave helper-written lines) and ``notes`` are recorded in the model's info. Without helper-written lines
    to guard, no gate is tried: the phrase matcher is asked of every line."""
    competencies, frequency = learned_competencies(train_rows)
    if not competencies:
        raise TrainingError(f"no competency has {MIN_TRAIN_LINES} labelled training lines: nothing to learn")
    real_train = [r for r in train_rows if r["advert"] is not None]
    train_lines = [r["text"] for r in train_rows]
    train_gold = [set(r["competencies"]) for r in train_rows]
    # the re-scorer learns from the lines production answers: boilerplate and too-short lines never reach it
    train_skip = skipped(train_lines, phrase)
    val_lines = [r["text"] for r in validation]
    val_gold = [set(r["competencies"]) for r in validation]
    val_skip = skipped(val_lines, phrase)
    best = None
    for c in c_grid:
        oof = out_of_fold_probabilities(train_rows, competencies, c)
        pairs, feats = rescorer_rows(oof, competencies, [phrase_answers[t] for t in train_lines], train_lines,
                                     frequency, TEXT_CANDIDATES)
        weights = np.array([0.0 if s else r["weight"] for r, s in zip(train_rows, train_skip)])
        coef, intercept = fit_rescorer(pairs, feats, train_gold, weights)
        fitted = Fitted(train_rows, competencies, c)
        val_probs = fitted.probabilities([r["folded"] for r in validation])
        vpairs, vfeats = rescorer_rows(val_probs, competencies, [phrase_answers[t] for t in val_lines], val_lines,
                                       frequency, TEXT_CANDIDATES)
        vscores = sigmoid(vfeats @ coef + intercept)
        threshold, f1 = tune_threshold(vpairs, vscores, val_gold, val_skip)
        log(f"  C={c:<5} validation competency F1 {f1:.4f} at threshold {threshold:.2f}")
        if best is None or f1 > best[0]:
            best = (f1, c, threshold, fitted, coef, intercept, val_probs)
    f1, c, threshold, fitted, coef, intercept, val_probs = best
    gold_rows = [r for r in train_rows if r["advert"] is None]
    gate = 0.0
    if gold_rows:
        gold_probs = fitted.probabilities([r["folded"] for r in gold_rows])
        gate = choose_gate({"validation": (validation, val_probs), "gold": (gold_rows, gold_probs)}, competencies,
                           phrase_answers, frequency, coef, intercept, threshold, log=log)
    weights = np.where(np.abs(fitted.weights) >= PRUNE, fitted.weights, 0.0)
    model = LearnedModel(
        framework_ids=sorted(comp.id for comp in phrase.framework.competencies), competencies=competencies,
        word_vocabulary=fitted.features.word_vocabulary, char_vocabulary=fitted.features.char_vocabulary,
        idf=fitted.features.idf, weights=weights, bias=fitted.bias, rescorer_coef=coef,
        rescorer_intercept=intercept, threshold=threshold, max_per_line=MAX_PER_LINE,
        text_candidates=TEXT_CANDIDATES, train_frequency={cid: int(n) for cid, n in frequency.items()},
        info={"c": c, "min_adverts": MIN_ADVERTS, "min_train_lines": MIN_TRAIN_LINES, "gold_weight": gold_weight,
              "train_lines": len(real_train), "gold_lines": len(train_rows) - len(real_train),
              "validation_f1_when_chosen": round(f1, 4), "prune": PRUNE, "gate_cost": GATE_COST, **(notes or {})},
        phrase_gate=gate)
    return model, {"c": c, "threshold": threshold, "phrase_gate": gate, "validation_f1": f1}

"""Fitting the learned stage (matcher v6) from labelled lines: the one trainer `bench/train_matcher_v6.py` (the
shipped model, from the labelled 2020 corpus) and `cijobs train` (a user's own labels) share.

A training row is a dict: ``id``, ``text``, ``folded`` (``advert_text.normalise.fold`` of the text),
``competencies`` (ids), ``advert`` (the advert it came from; None for a helper-written line, which is then not
counted as an advert) and ``weight`` (its sample weight in the text model and the re-scorer). Deterministic: the
same rows give the same weights, byte for byte.

1. Vocabulary: word 1-2 and character 2-5 grams seen in at least ``MIN_ADVERTS`` different adverts (so no
   advert's wording can be rebuilt from the shipped files), TF-IDF over the training lines.
2. Text model: one logistic regression per competency with at least ``MIN_TRAIN_LINES`` labelled training lines
   (the rest reach answers only through the phrase matcher), and one for "asks anything" (any competency at all).
3. Re-scorer: one logistic regression over each candidate's features (``learned.rescorer_rows``), fitted on
   out-of-fold text probabilities and phrase reliabilities (each line scored by a text model, and against phrase
   counts, that never saw its advert).
4. Thresholds: on the training lines' out-of-fold candidates, the F1-best threshold, then one per domain (with
   ``MIN_DOMAIN_LABELS`` labelled lines) that brings the domain's found/labelled nearest 1.0 at no more than
   ``DOMAIN_F1_COST`` of F1 (thousands of labelled lines, where validation has a handful in some domains); on
   validation, one shift of them all for F1.
5. On validation: the text model's C, that shift, and the phrase matcher's gate (only with helper-written lines to
   guard: a gate must not cost them more than ``GATE_COST``).
"""
from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np

from advert_text.extract import is_boilerplate
from advert_text.normalise import fold
from matching.framework import load_framework
from matching.learned import (
    CHAR_NGRAMS,
    LINE_TARGETS,
    TOKEN_PATTERN,
    WORD_NGRAMS,
    LearnedModel,
    TextFeatures,
    gated_phrase_answers,
    rescorer_rows,
    sigmoid,
)
from matching.matcher import Matcher
from matching.phrase_reliability import PhraseReliability

MIN_ADVERTS = 5          # an n-gram ships only when seen in this many different adverts
MIN_TRAIN_LINES = 10     # a competency gets a text model only with this many labelled training lines
FOLDS = 5                # out-of-fold text probabilities for training the re-scorer
TEXT_CANDIDATES = 5
MAX_PER_LINE = 3
C_GRID = (8.0,)  # validation, both rounds: C 4 0.486, 8 0.489 (gold weight 0.3); 8 0.498, 12 0.493 (1.0)
GATES = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2) # phrase-matcher gates tried on validation
GATE_COST = 0.003        # validation F1 the gate may cost (the phrase matcher is most of the learned stage's time)
PRUNE = 0.02             # text weights smaller than this (in absolute value) are dropped before shipping
MIN_DOMAIN_LABELS = 30   # a domain gets a threshold of its own only with this many labelled training lines
DOMAIN_F1_COST = 0.005   # training F1 the per-domain thresholds may give up to bring found/labelled to 1.0
THRESHOLDS = np.round(np.arange(0.04, 0.8, 0.01), 2)
SHIFTS = np.round(np.arange(-0.10, 0.101, 0.01), 2)  # one shift of every threshold, chosen on validation


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


def targets_of(row: dict) -> set[str]:
    """The text model's labels for a row: its competencies, and "asks anything" when it has one."""
    labels = set(row["competencies"])
    return labels | ({LINE_TARGETS[0]} if labels else set())


class Fitted:
    """A text model fitted on some training rows, with its vocabulary: the competencies' columns, then the
    LINE_TARGETS'."""

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
        self.weights, self.bias = fit_text_model(x, [targets_of(r) for r in rows],
                                                 np.array([r["weight"] for r in rows]),
                                                 competencies + list(LINE_TARGETS), c)
        self.competencies = competencies

    def probabilities(self, folded: list[str]) -> np.ndarray:
        return sigmoid(self.features.transform(folded).dot(self.weights) + self.bias)


def learned_competencies(train_rows: list[dict]) -> tuple[list[str], Counter]:
    frequency = Counter(c for r in train_rows if r["advert"] is not None for c in r["competencies"])
    return sorted(c for c, n in frequency.items() if n >= MIN_TRAIN_LINES), frequency


def fold_of(row: dict) -> int:
    return stable_hash(row["advert"] or row["id"]) % FOLDS


def out_of_fold_probabilities(train_rows: list[dict], competencies: list[str], c: float) -> np.ndarray:
    """Each training line's text probabilities from a model that never saw its advert (gold lines: its fold)."""
    folds = [fold_of(r) for r in train_rows]
    probs = np.zeros((len(train_rows), len(competencies) + len(LINE_TARGETS)))
    for fold_number in range(FOLDS):
        fit_rows = [r for r, f in zip(train_rows, folds) if f != fold_number]
        held = [i for i, f in enumerate(folds) if f == fold_number]
        if not held:
            continue
        fitted = Fitted(fit_rows, competencies, c)
        probs[held] = fitted.probabilities([train_rows[i]["folded"] for i in held])
    return probs


def count_reliability(rows: list[dict], phrase_answers: dict[str, list]) -> PhraseReliability:
    """How often each key phrase's answer was right on the real lines among ``rows`` (helper-written lines, written
    with the phrases in mind, are not counted)."""
    real = [r for r in rows if r["advert"] is not None]
    return PhraseReliability.count([phrase_answers[r["text"]] for r in real], [set(r["competencies"]) for r in real])


def candidates(rows: list[dict], probs: np.ndarray, competencies: list[str], phrase_answers: dict[str, list],
               frequency: Counter, reliability: PhraseReliability, answers: list[list] | None = None):
    """The re-scorer's (pairs, features) for some rows, given their text probabilities (competencies, then
    LINE_TARGETS) and the phrase counts they are scored against."""
    lines = [r["text"] for r in rows]
    k = len(competencies)
    answers = [phrase_answers[t] for t in lines] if answers is None else answers
    return rescorer_rows(probs[:, :k], competencies, answers, lines, frequency, TEXT_CANDIDATES, probs[:, k],
                         reliability)


def out_of_fold_candidates(train_rows: list[dict], probs: np.ndarray, competencies: list[str],
                           phrase_answers: dict[str, list], frequency: Counter):
    """The training lines' candidates, each line's phrase counts taken without its own fold's lines (as its text
    probabilities are): the re-scorer learns how far counts on other adverts carry."""
    folds = np.array([fold_of(r) for r in train_rows])
    per_fold = [count_reliability([r for r, f in zip(train_rows, folds) if f == n], phrase_answers)
                for n in range(FOLDS)]
    total = PhraseReliability()
    for part in per_fold:
        total = total.combined(part)
    pairs, blocks = [], []
    for n in range(FOLDS):
        held = np.flatnonzero(folds == n)
        if not len(held):
            continue
        part_pairs, part_features = candidates([train_rows[i] for i in held], probs[held], competencies,
                                               phrase_answers, frequency, total.combined(per_fold[n], sign=-1))
        pairs += [(int(held[i]), cid) for i, cid in part_pairs]
        blocks.append(part_features)
    order = sorted(range(len(pairs)), key=lambda j: pairs[j][0])  # by line, as rescorer_rows gives them
    return [pairs[j] for j in order], np.vstack(blocks)[order], total


def fit_rescorer(pairs, features: np.ndarray, labels: list[set[str]], line_weights: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    y = np.array([cid in labels[i] for i, cid in pairs], dtype=int)
    if len(set(y.tolist())) < 2:
        raise TrainingError("every candidate competency of the training lines is " + ("right" if len(y) and y[0]
                            else "wrong") + ": nothing to learn from; label more lines, with and without competencies")
    model = LogisticRegression(C=1.0, solver="lbfgs", max_iter=5000)
    model.fit(features, y, sample_weight=line_weights[[i for i, _ in pairs]])
    return model.coef_[0], float(model.intercept_[0])


class Decisions:
    """Scored candidates of some lines, answered as production answers them (each line keeps its candidates at or
    above their threshold, best first, at most MAX_PER_LINE; boilerplate and too-short lines nothing) under any
    thresholds, and counted against the labels: micro-F1 and found/labelled per domain, fast enough to search."""

    def __init__(self, pairs, scores: np.ndarray, gold: list[set[str]], skip: list[bool], domain_of: dict[str, str]):
        self.domains = sorted({domain_of[cid] for labels in gold for cid in labels} | set(domain_of.values()))
        index = {d: n for n, d in enumerate(self.domains)}
        width = len(self.domains)
        line = np.array([i for i, _ in pairs], dtype=np.int64)
        order = (np.lexsort((np.array([cid for _, cid in pairs]), -np.asarray(scores), line)) if pairs
                 else np.zeros(0, dtype=np.int64))
        self.line, self.score = line[order], np.asarray(scores, dtype=np.float64)[order]
        self.cids = [pairs[j][1] for j in order]
        self.domain = np.array([index[domain_of[cid]] for cid in self.cids], dtype=np.int64)
        self.right = np.array([cid in gold[i] for i, cid in zip(self.line, self.cids)], dtype=bool)
        self.skip = np.asarray(skip, dtype=bool)
        self.labels = sum(len(g) for g in gold)
        self.gold_line_domains = np.unique(np.array(
            [i * width + index[domain_of[cid]] for i, g in enumerate(gold) for cid in g], dtype=np.int64))
        self.labelled = np.bincount(self.gold_line_domains % width, minlength=width) if width else np.zeros(0)
        self.width = width

    def thresholds(self, threshold: float, domain_thresholds: dict[str, float]) -> np.ndarray:
        return np.array([domain_thresholds.get(d, threshold) for d in self.domains], dtype=np.float64)

    def outcome(self, per_domain: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(competency micro-F1, lines found per domain, lines labelled per domain) at these domain thresholds."""
        kept = np.flatnonzero((self.score >= per_domain[self.domain]) & ~self.skip[self.line])
        lines = self.line[kept]
        first = np.r_[True, lines[1:] != lines[:-1]] if len(lines) else np.zeros(0, dtype=bool)
        start = np.maximum.accumulate(np.where(first, np.arange(len(lines)), 0)) if len(lines) else lines
        final = kept[(np.arange(len(lines)) - start) < MAX_PER_LINE]
        tp = int(self.right[final].sum())
        f1 = 2 * tp / (len(final) + self.labels) if len(final) + self.labels else 1.0
        found = np.bincount(np.unique(self.line[final] * self.width + self.domain[final]) % self.width,
                            minlength=self.width)
        return f1, found, self.labelled

    def f1(self, per_domain: np.ndarray) -> float:
        return self.outcome(per_domain)[0]

    def answers(self, per_domain: np.ndarray, n_lines: int) -> list[set[str]]:
        """Each line's kept competencies (for reports and tests)."""
        kept = [[] for _ in range(n_lines)]
        for j in np.flatnonzero((self.score >= per_domain[self.domain]) & ~self.skip[self.line]):
            if len(kept[self.line[j]]) < MAX_PER_LINE:
                kept[self.line[j]].append(self.cids[j])
        return [set(k) for k in kept]


def skipped(lines: list[str], phrase: Matcher) -> list[bool]:
    """Lines production never answers: boilerplate, or too short once folded."""
    return [is_boilerplate(line) or len(fold(line)) < phrase.config.min_line_chars for line in lines]


def deviation(found: np.ndarray, labelled: np.ndarray, counted: np.ndarray) -> float:
    """How far found/labelled lies from 1.0, summed over the counted domains."""
    return float(np.sum(np.abs(found[counted] / labelled[counted] - 1.0)))


def tune_threshold(decisions: Decisions) -> tuple[float, float]:
    """The one threshold with the best competency micro-F1 (the lowest of equals)."""
    best = (-1.0, 0.5)
    for threshold in THRESHOLDS:
        f1 = decisions.f1(np.full(decisions.width, threshold))
        if f1 > best[0]:
            best = (f1, float(threshold))
    return best[1], best[0]


def tune_domain_thresholds(decisions: Decisions, threshold: float, rounds: int = 4) -> dict[str, float]:
    """A threshold per domain with MIN_DOMAIN_LABELS labelled lines, searched one domain at a time from the global
    one: found/labelled nearest 1.0 (summed over the domains), keeping F1 within DOMAIN_F1_COST of the start."""
    counted = decisions.labelled >= MIN_DOMAIN_LABELS
    current = np.full(decisions.width, threshold)
    f1, found, labelled = decisions.outcome(current)
    floor = f1 - DOMAIN_F1_COST
    best = (round(-deviation(found, labelled, counted), 6), f1)
    for _ in range(rounds):
        for d in np.flatnonzero(counted):
            for value in THRESHOLDS:
                trial = current.copy()
                trial[d] = value
                f1, found, labelled = decisions.outcome(trial)
                key = (round(-deviation(found, labelled, counted), 6), f1)
                if f1 >= floor and key > best:
                    best, current = key, trial
    return {decisions.domains[d]: float(current[d]) for d in np.flatnonzero(counted)}


def tune_shift(decisions: Decisions, threshold: float, domain_thresholds: dict[str, float]) -> tuple[float, float]:
    """One shift of every threshold: found/labelled nearest 1.0 (summed over the domains with MIN_DOMAIN_LABELS / 5
    labelled lines) among the shifts within DOMAIN_F1_COST of the best F1, then the best F1: (shift, F1)."""
    base = decisions.thresholds(threshold, domain_thresholds)
    counted = decisions.labelled >= max(1, MIN_DOMAIN_LABELS // 5)
    outcomes = [(float(shift), decisions.outcome(np.clip(base + shift, 0.01, 0.99))) for shift in SHIFTS]
    top = max(f1 for _, (f1, _, _) in outcomes)
    allowed = [(shift, f1, found, labelled) for shift, (f1, found, labelled) in outcomes if f1 >= top - DOMAIN_F1_COST]
    shift, f1, _, _ = max(allowed, key=lambda o: (-round(deviation(o[2], o[3], counted), 6), o[1], -abs(o[0])))
    return shift, f1


def gated_f1(rows: list[dict], probs, competencies, phrase_answers, frequency, reliability, coef, intercept,
             thresholds: tuple[float, dict[str, float]], domain_of: dict[str, str], gate: float) -> float:
    lines = [r["text"] for r in rows]
    gold, skip = [set(r["competencies"]) for r in rows], skipped(lines, Matcher(load_framework()))
    answers = gated_phrase_answers(lambda ls: [phrase_answers[t] for t in ls], lines, probs[:, :len(competencies)],
                                   gate)
    pairs, feats = candidates(rows, probs, competencies, phrase_answers, frequency, reliability, answers)
    decisions = Decisions(pairs, sigmoid(feats @ coef + intercept), gold, skip, domain_of)
    return decisions.f1(decisions.thresholds(*thresholds))


def choose_gate(sets: dict[str, tuple[list[dict], np.ndarray]], *scorer, log=print) -> float:
    """Among the gates that cost the helper-written gold lines at most GATE_COST (they ask for rare competencies the
    text model does not know, so a gate hurts them), the highest within GATE_COST of the best validation F1."""
    scored = []
    for gate in GATES:
        f1 = {name: gated_f1(rows, probs, *scorer, gate) for name, (rows, probs) in sets.items()}
        k = len(scorer[0])
        asked = float(np.mean(sets["validation"][1][:, :k].max(axis=1) >= gate)) if gate else 1.0
        log(f"  phrase gate {gate:.3f}: " + ", ".join(f"{n} F1 {v:.4f}" for n, v in f1.items())
            + f"; {asked:.0%} of validation lines asked of the phrase matcher")
        scored.append((gate, f1))
    ungated = scored[0][1]
    allowed = [(gate, f1["validation"]) for gate, f1 in scored if f1["gold"] >= ungated["gold"] - GATE_COST]
    top = max(f1 for _, f1 in allowed)
    return max(gate for gate, f1 in allowed if f1 >= top - GATE_COST)


def ratios_text(decisions: Decisions, threshold: float, domain_thresholds: dict[str, float]) -> str:
    f1, found, labelled = decisions.outcome(decisions.thresholds(threshold, domain_thresholds))
    return " ".join(f"{d}:{f / n:.2f}" for d, f, n in zip(decisions.domains, found, labelled) if n)


def choose_thresholds(train_decisions: Decisions, val_decisions: Decisions, log=print):
    """The global threshold and one per domain on the training lines' out-of-fold candidates, then one shift of
    them all on validation: (threshold, domain thresholds, validation F1)."""
    threshold, train_f1 = tune_threshold(train_decisions)
    domain_thresholds = tune_domain_thresholds(train_decisions, threshold)
    log(f"    training lines (out of fold): F1 {train_f1:.4f} at {threshold:.2f}, found/labelled "
        f"{ratios_text(train_decisions, threshold, {})}; per domain "
        + " ".join(f"{d}:{t:.2f}" for d, t in domain_thresholds.items())
        + f": F1 {train_decisions.f1(train_decisions.thresholds(threshold, domain_thresholds)):.4f}, found/labelled "
        f"{ratios_text(train_decisions, threshold, domain_thresholds)}")
    shift, f1 = tune_shift(val_decisions, threshold, domain_thresholds)

    def shifted(t: float) -> float:
        return round(float(np.clip(t + shift, 0.01, 0.99)), 2)

    threshold, domain_thresholds = shifted(threshold), {d: shifted(t) for d, t in domain_thresholds.items()}
    log(f"    validation: shift {shift:+.2f}, F1 {f1:.4f}, found/labelled "
        f"{ratios_text(val_decisions, threshold, domain_thresholds)}")
    return threshold, domain_thresholds, f1


def train(train_rows: list[dict], validation: list[dict], phrase: Matcher, phrase_answers: dict[str, list],
          c_grid=C_GRID, log=print, gold_weight: float = 1.0, notes: dict | None = None) -> tuple[LearnedModel, dict]:
    """Fit on train_rows, choose C, the thresholds' shift and the phrase matcher's gate on validation.

    ``phrase_answers`` maps every line's text to the phrase matcher's answer; ``gold_weight`` (the weight the
    caller gave helper-written lines) and ``notes`` are recorded in the model's info. Without helper-written lines
    to guard, no gate is tried: the phrase matcher is asked of every line."""
    competencies, frequency = learned_competencies(train_rows)
    if not competencies:
        raise TrainingError(f"no competency has {MIN_TRAIN_LINES} labelled training lines: nothing to learn")
    domain_of = {comp.id: comp.domain_id for comp in phrase.framework.competencies}
    real_train = [r for r in train_rows if r["advert"] is not None]
    train_gold = [set(r["competencies"]) for r in train_rows]
    # the re-scorer learns from the lines production answers: boilerplate and too-short lines never reach it
    train_skip = skipped([r["text"] for r in train_rows], phrase)
    is_real = [r["advert"] is not None for r in train_rows]
    val_gold = [set(r["competencies"]) for r in validation]
    val_skip = skipped([r["text"] for r in validation], phrase)
    best = None
    for c in c_grid:
        oof = out_of_fold_probabilities(train_rows, competencies, c)
        pairs, feats, reliability = out_of_fold_candidates(train_rows, oof, competencies, phrase_answers, frequency)
        weights = np.array([0.0 if s else r["weight"] for r, s in zip(train_rows, train_skip)])
        coef, intercept = fit_rescorer(pairs, feats, train_gold, weights)
        # thresholds per domain are set on the real training lines only (helper-written lines ask differently)
        train_decisions = Decisions(pairs, sigmoid(feats @ coef + intercept),
                                    [g if real else set() for g, real in zip(train_gold, is_real)],
                                    [s or not real for s, real in zip(train_skip, is_real)], domain_of)
        fitted = Fitted(train_rows, competencies, c)
        val_probs = fitted.probabilities([r["folded"] for r in validation])
        vpairs, vfeats = candidates(validation, val_probs, competencies, phrase_answers, frequency, reliability)
        val_decisions = Decisions(vpairs, sigmoid(vfeats @ coef + intercept), val_gold, val_skip, domain_of)
        log(f"  C={c:<5}")
        threshold, domain_thresholds, f1 = choose_thresholds(train_decisions, val_decisions, log=log)
        log(f"  C={c:<5} validation competency F1 {f1:.4f} at threshold {threshold:.2f}, per domain "
            + " ".join(f"{d}:{t:.2f}" for d, t in domain_thresholds.items()))
        if best is None or f1 > best[0]:
            best = (f1, c, threshold, domain_thresholds, fitted, coef, intercept, val_probs, reliability)
    f1, c, threshold, domain_thresholds, fitted, coef, intercept, val_probs, reliability = best
    gold_rows = [r for r in train_rows if r["advert"] is None]
    gate = 0.0
    if gold_rows:
        gold_probs = fitted.probabilities([r["folded"] for r in gold_rows])
        gate = choose_gate({"validation": (validation, val_probs), "gold": (gold_rows, gold_probs)}, competencies,
                           phrase_answers, frequency, reliability, coef, intercept, (threshold, domain_thresholds),
                           domain_of, log=log)
    weights = np.where(np.abs(fitted.weights) >= PRUNE, fitted.weights, 0.0)
    model = LearnedModel(
        framework_ids=sorted(comp.id for comp in phrase.framework.competencies), competencies=competencies,
        word_vocabulary=fitted.features.word_vocabulary, char_vocabulary=fitted.features.char_vocabulary,
        idf=fitted.features.idf, weights=weights, bias=fitted.bias, rescorer_coef=coef,
        rescorer_intercept=intercept, threshold=threshold, max_per_line=MAX_PER_LINE,
        text_candidates=TEXT_CANDIDATES, train_frequency={cid: int(n) for cid, n in frequency.items()},
        info={"c": c, "min_adverts": MIN_ADVERTS, "min_train_lines": MIN_TRAIN_LINES, "gold_weight": gold_weight,
              "train_lines": len(real_train), "gold_lines": len(train_rows) - len(real_train),
              "validation_f1_when_chosen": round(f1, 4), "prune": PRUNE, "gate_cost": GATE_COST,
              "min_domain_labels": MIN_DOMAIN_LABELS, "domain_f1_cost": DOMAIN_F1_COST, **(notes or {})},
        phrase_gate=gate, line_targets=list(LINE_TARGETS), phrase_reliability=reliability,
        domain_thresholds=domain_thresholds)
    return model, {"c": c, "threshold": threshold, "domain_thresholds": domain_thresholds, "phrase_gate": gate,
                   "validation_f1": f1}

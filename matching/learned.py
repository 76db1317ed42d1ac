"""The learned stage (matcher v6): a text model and a re-scorer on top of the phrase matcher.

Two steps, both plain linear models whose weights ship in ``matching/model/`` (``v6.json``: vocabulary
and settings; ``v6.npz``: the numbers), rebuilt by ``bench/train_matcher_v6.py`` from the labelled
real advert lines:

1. Text model. A line's folded text becomes TF-IDF features (word 1-2 grams and character 2-5 grams
   inside words, each block L2-normalised); one logistic regression per competency that has at least
   ``min_train_lines`` labelled training lines gives the probability that the line asks for it. The
   vocabulary keeps only n-grams seen in at least five different adverts, so no advert's wording can be
   rebuilt from it.
   A line-level model beside them ("asks anything") gives the probability that the line asks for any
   competency at all: most real advert lines ask nothing.
2. Re-scorer. Each candidate competency of a line (the text model's best few, plus whatever the phrase
   matcher returned) is scored by one shared logistic regression over: the text probability and its
   rank, the line's "asks anything" probability, whether the phrase matcher returned it and with what
   score, how often that key phrase's (and that competency's) phrase answers were right on the training
   lines (``phrase_reliability.py``), whether the competency has a text model, how often it was labelled in
   training and the line's length. Candidates at or above their domain's threshold (tuned on the training
   lines' out-of-fold candidates so that each domain is found about as often as it is labelled) are kept,
   best first, at most ``max_per_line`` (and the phrase matcher's ``top_k``).
   Competencies too rare to learn reach the answer only through the phrase matcher. The text model runs
   first; a line whose best text probability is below ``phrase_gate`` would not be asked of the phrase
   matcher (most of the stage's time), but the trainer allows a gate only where it costs the written lines
   nothing, and none does yet: the shipped gate is 0.

The answer has the phrase matcher's shape (``CompetencyMatch``; score 0-100 is the re-scorer's
probability); the evidence is the phrase matcher's when it found the competency too, else the line's
n-grams that pushed the text model most. ``build_matcher`` is the one place the CLI's matchers are made:
it returns the learned stage (the default) when the model files are there and fit this framework's
competencies and ``CIJOBS_MATCHER=phrase`` does not ask for the phrase matcher alone; otherwise the phrase
matcher alone. ``CIJOBS_MODEL_DIR`` (which the CLI sets from cijobs.toml's ``[matching] model``) names a model
directory of one's own, written by `cijobs train`, instead of the shipped one; its weights hash, in the matcher
version, makes `cijobs match` re-match what another model matched.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from advert_text.normalise import fold
from matching.framework import Framework
from matching.matcher import CompetencyMatch, Matcher, MatcherConfig, modules_digest
from matching.phrase_reliability import PhraseReliability

MODEL_NAME = "v6"
SWITCH = "CIJOBS_MATCHER"  # "phrase": the phrase matcher alone (default "learned": the learned stage on top of it)
MODEL_DIR_VARIABLE = "CIJOBS_MODEL_DIR"  # a model directory of one's own (`cijobs train` writes one)
STAGES = ("phrase", "learned")
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
# The stage's own code beside the phrase matcher's (matcher.MATCHING_MODULES): its version hashes them with the
# weights, so a changed feature or rule re-matches the warehouse and retires the recorded accuracy figures.
STAGE_MODULES = (("matching", "learned.py"), ("matching", "phrase_reliability.py"))
RESCORER_FEATURES = ("text_probability", "text_logit", "text_rank_inverse", "text_top", "phrase_found",
                     "phrase_score", "phrase_rank_inverse", "phrase_fallback", "phrase_and_text", "has_text_model",
                     "phrase_without_text_model", "phrase_score_without_text_model",
                     "train_frequency_log", "line_chars_log", "phrase_matches_on_line", "line_asks_probability",
                     "line_asks_logit", "phrase_precision", "phrase_answers_log", "competency_phrase_precision",
                     "competency_phrase_answers_log")
LINE_TARGETS = ("asks anything",)  # line-level text models after the competencies' columns: any competency at all
EVIDENCE_NGRAMS = 3
DOT_CHUNK_LINES = 128


class ModelError(ValueError):
    """A chosen model directory that holds no readable model."""


def model_dir() -> Path:
    """The shipped model."""
    return Path(str(resources.files("matching") / "model"))


def chosen_model_dir() -> Path | None:
    """The model directory ``CIJOBS_MODEL_DIR`` names, or None for the shipped model."""
    chosen = os.environ.get(MODEL_DIR_VARIABLE, "").strip()
    return Path(chosen) if chosen else None


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class SparseRows:
    """Feature rows of some lines without scipy (cheap to import): row i is ``indices/values[ptr[i]:ptr[i + 1]]``."""

    def __init__(self, ptr: np.ndarray, indices: np.ndarray, values: np.ndarray, size: int):
        self.ptr, self.indices, self.values, self.size = ptr, indices, values, size

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.indices[self.ptr[i]:self.ptr[i + 1]], self.values[self.ptr[i]:self.ptr[i + 1]]

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """(lines, features) @ (features, K), summed per row; DOT_CHUNK_LINES lines at a time, so that the gathered
        weight rows stay in the processor's cache (three to five times faster than all lines at once)."""
        n = len(self.ptr) - 1
        out = np.zeros((n, weights.shape[1]), dtype=np.float64)
        for start in range(0, n, DOT_CHUNK_LINES):
            stop = min(start + DOT_CHUNK_LINES, n)
            ptr = self.ptr[start:stop + 1]
            filled = np.flatnonzero(np.diff(ptr))
            if len(filled):
                products = weights[self.indices[ptr[0]:ptr[-1]]] * \
                    self.values[ptr[0]:ptr[-1], None].astype(weights.dtype)
                out[start + filled] = np.add.reduceat(products, ptr[filled] - ptr[0], axis=0)
        return out

    def tocsr(self):
        from scipy import sparse

        return sparse.csr_matrix((self.values, self.indices, self.ptr), shape=(len(self.ptr) - 1, self.size))


class TextFeatures:
    """Folded line -> TF-IDF row over a fixed vocabulary (word and character n-grams, each block L2-normalised).

    The n-grams are scikit-learn's (``CountVectorizer`` with ``TOKEN_PATTERN`` / ``char_wb``, which the trainer
    builds the vocabulary with), computed here so that answering needs neither scikit-learn nor scipy, with each
    word's character n-grams remembered (words repeat across lines far more than lines do)."""

    def __init__(self, word_vocabulary: list[str], char_vocabulary: list[str], idf: np.ndarray):
        self.word_vocabulary, self.char_vocabulary = list(word_vocabulary), list(char_vocabulary)
        self.names = self.word_vocabulary + self.char_vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self._word_index = {t: i for i, t in enumerate(self.word_vocabulary)}
        self._char_index = {t: i for i, t in enumerate(self.char_vocabulary, len(self.word_vocabulary))}
        self._token = re.compile(TOKEN_PATTERN)
        self._chars_of: dict[str, list[int]] = {}

    @property
    def size(self) -> int:
        return len(self.names)

    def _word_ids(self, folded: str) -> list[int]:
        tokens = self._token.findall(folded)
        index = self._word_index
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]  # WORD_NGRAMS
        return [index[g] for g in grams if g in index]

    def _char_ids(self, word: str) -> list[int]:
        """char_wb n-grams of one word, padded with a space each side; a word shorter than n counts once."""
        ids = self._chars_of.get(word)
        if ids is None:
            padded, index = f" {word} ", self._char_index
            ids = []
            for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
                last = max(len(padded) - n, 0)
                ids += [index[g] for g in (padded[o:o + n] for o in range(last + 1)) if g in index]
                if last == 0:
                    break
            self._chars_of[word] = ids
        return ids

    def counts(self, folded: list[str]) -> SparseRows:
        """Raw n-gram counts, columns sorted within each row (one ``np.unique`` over every line's (line, n-gram) keys:
        a call per line costs more than the counting)."""
        ids, lengths = [], []
        for text in folded:
            line_ids = self._word_ids(text)
            for word in text.split():
                line_ids += self._char_ids(word)
            ids += line_ids
            lengths.append(len(line_ids))
        line = np.repeat(np.arange(len(folded), dtype=np.int64), lengths)
        keys, times = np.unique(line * self.size + np.array(ids, dtype=np.int64), return_counts=True)
        per_line = np.bincount(keys // self.size, minlength=len(folded))
        ptr = np.concatenate(([0], np.cumsum(per_line))).astype(np.int64)
        return SparseRows(ptr, (keys % self.size).astype(np.int32), times.astype(np.float64), self.size)

    def transform(self, folded: list[str]) -> SparseRows:
        """Sublinear TF times IDF, then each block (words, characters) scaled to unit length."""
        x = self.counts(folded)
        x.values = (1.0 + np.log(x.values)) * self.idf[x.indices]
        line = np.repeat(np.arange(len(x.ptr) - 1), np.diff(x.ptr))
        block = 2 * line + (x.indices >= len(self.word_vocabulary))
        norms = np.sqrt(np.bincount(block, weights=x.values ** 2, minlength=2 * (len(x.ptr) - 1)))
        x.values = x.values / norms[block] if len(block) else x.values
        return x


@dataclass
class LearnedModel:
    """Everything the learned stage needs, as saved in ``v6.json`` + ``v6.npz``."""

    framework_ids: list[str]          # the competency ids of the framework it was trained for
    competencies: list[str]           # those with a text model, in column order (then the LINE_TARGETS columns)
    word_vocabulary: list[str]
    char_vocabulary: list[str]
    idf: np.ndarray                   # (features,)
    weights: np.ndarray               # dense float32 (features, competencies + line targets); stored sparse
    bias: np.ndarray                  # (competencies + line targets,)
    rescorer_coef: np.ndarray         # (len(RESCORER_FEATURES),)
    rescorer_intercept: float
    threshold: float
    max_per_line: int
    text_candidates: int
    train_frequency: dict[str, int]
    info: dict
    phrase_gate: float = 0.0          # lines whose best text probability is below it skip the phrase matcher
    line_targets: list[str] = dataclasses.field(default_factory=lambda: list(LINE_TARGETS))
    phrase_reliability: PhraseReliability = dataclasses.field(default_factory=PhraseReliability)
    domain_thresholds: dict[str, float] = dataclasses.field(default_factory=dict)  # else ``threshold``

    def thresholds_for(self, competency_ids: list[str], domain_of: dict[str, str]) -> np.ndarray:
        """The threshold each candidate must reach: its domain's, else the global one."""
        return np.array([self.domain_thresholds.get(domain_of.get(cid, ""), self.threshold) for cid in competency_ids],
                        dtype=np.float64)

    def save(self, directory: Path, name: str = MODEL_NAME) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"format": 1, "framework_ids": self.framework_ids, "competencies": self.competencies,
                "rescorer_features": list(RESCORER_FEATURES), "threshold": self.threshold,
                "max_per_line": self.max_per_line, "text_candidates": self.text_candidates,
                "train_frequency": dict(sorted(self.train_frequency.items())), "info": self.info,
                "phrase_gate": self.phrase_gate, "line_targets": self.line_targets,
                "domain_thresholds": dict(sorted(self.domain_thresholds.items())),
                "phrase_reliability": self.phrase_reliability.as_json(),
                "word_vocabulary": self.word_vocabulary, "char_vocabulary": self.char_vocabulary}
        json_path, npz_path = directory / f"{name}.json", directory / f"{name}.npz"
        json_path.write_text(json.dumps(meta, ensure_ascii=True, indent=0) + "\n", encoding="utf-8")
        w = np.asarray(self.weights.toarray() if hasattr(self.weights, "toarray") else self.weights)
        rows, columns = np.nonzero(w)  # row-major: CSR order
        indptr = np.concatenate([[0], np.cumsum(np.count_nonzero(w, axis=1))])
        arrays = {"idf": self.idf.astype(np.float32), "w_data": w[rows, columns].astype(np.float16),
                  "w_indices": columns.astype(np.int32), "w_indptr": indptr.astype(np.int32),
                  "w_shape": np.array(w.shape, dtype=np.int64), "bias": self.bias.astype(np.float32),
                  "rescorer_coef": self.rescorer_coef.astype(np.float64),
                  "rescorer_intercept": np.array([self.rescorer_intercept], dtype=np.float64)}
        # np.savez_compressed stamps zip entries with the current time: write entries by hand for stable bytes
        _save_npz_deterministic(npz_path, arrays)
        return json_path, npz_path

    @classmethod
    def load(cls, directory: Path, name: str = MODEL_NAME) -> LearnedModel:
        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        if tuple(meta["rescorer_features"]) != RESCORER_FEATURES:
            raise ValueError(f"{directory / name}: re-scorer features differ from this code's")
        with np.load(directory / f"{name}.npz") as data:
            weights = np.zeros(tuple(data["w_shape"]), dtype=np.float32)
            weights[np.repeat(np.arange(weights.shape[0]), np.diff(data["w_indptr"])), data["w_indices"]] = \
                data["w_data"]
            return cls(meta["framework_ids"], meta["competencies"], meta["word_vocabulary"], meta["char_vocabulary"],
                       data["idf"].astype(np.float64), weights, data["bias"].astype(np.float64),
                       data["rescorer_coef"], float(data["rescorer_intercept"][0]), float(meta["threshold"]),
                       int(meta["max_per_line"]), int(meta["text_candidates"]),
                       {k: int(v) for k, v in meta["train_frequency"].items()}, meta.get("info", {}),
                       float(meta.get("phrase_gate", 0.0)), list(meta["line_targets"]),
                       PhraseReliability.from_json(meta["phrase_reliability"]),
                       {d: float(t) for d, t in meta["domain_thresholds"].items()})


def _save_npz_deterministic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def weights_hash(directory: Path, name: str = MODEL_NAME) -> str:
    digest = hashlib.sha256()
    for suffix in (".json", ".npz"):
        digest.update((directory / f"{name}{suffix}").read_bytes())
    return digest.hexdigest()[:8]


@lru_cache(maxsize=1)
def stage_code_fingerprint() -> str:
    return modules_digest(STAGE_MODULES)


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def rescorer_rows(text_probs: np.ndarray, learned_ids: list[str], phrase_answers: list[list[CompetencyMatch]],
                  lines: list[str], train_frequency: dict[str, int], text_candidates: int, asks: np.ndarray,
                  reliability: PhraseReliability):
    """Per line, its candidates and their re-scorer features: ([(line index, competency id)], matrix).
    ``text_probs`` are the competencies' columns, ``asks`` each line's "asks anything" probability.
    Boilerplate lines never reach it in production (``classify_lines`` blanks them), so it has no flag for them."""
    column = {cid: k for k, cid in enumerate(learned_ids)}
    prior = reliability.prior
    frequency_log = {}
    pairs, rows = [], []
    n, width = len(lines), len(learned_ids)
    order = np.argsort(-text_probs, axis=1, kind="stable") if text_probs.size else np.zeros((n, 0), int)
    ranks = np.empty_like(order)
    ranks[np.arange(n)[:, None], order] = np.arange(1, width + 1)
    top = order[:, :text_candidates].tolist()
    for i, line in enumerate(lines):
        phrase = {m.competency_id: (rank, m) for rank, m in enumerate(phrase_answers[i], 1)}
        candidates = list(dict.fromkeys([learned_ids[k] for k in top[i]] + list(phrase)))
        if not candidates:
            continue
        chars_log = math.log1p(len(line))
        asks_p = float(asks[i])
        asks_logit = logit(asks_p)
        for cid in candidates:
            k = column.get(cid)
            p = float(text_probs[i, k]) if k is not None else 0.0
            rank = int(ranks[i, k]) if k is not None else 0
            found = phrase.get(cid)
            if cid not in frequency_log:
                frequency_log[cid] = math.log1p(train_frequency.get(cid, 0))
            rows.append((
                p, logit(p) if k is not None else 0.0, 1.0 / rank if rank else 0.0,
                float(rank == 1), float(found is not None), found[1].score / 100 if found else 0.0,
                1.0 / found[0] if found else 0.0,
                float(bool(found) and found[1].evidence.startswith("shared words")),
                p * float(found is not None), float(k is not None),
                float(found is not None and k is None), found[1].score / 100 if found and k is None else 0.0,
                frequency_log[cid], chars_log, float(len(phrase)), asks_p, asks_logit,
                *reliability.features(found[1] if found else None, prior)))
            pairs.append((i, cid))
    return pairs, np.array(rows, dtype=np.float64).reshape(-1, len(RESCORER_FEATURES))


def gated_phrase_answers(match_lines, lines: list[str], text_probs: np.ndarray, gate: float) -> list[list]:
    """The phrase matcher's answers, asked only for lines the text model gives some chance of asking for a
    competency (the phrase matcher is most of the time; most real lines ask nothing); others answer []."""
    ask = text_probs.max(axis=1) >= gate if text_probs.size and gate > 0 else np.ones(len(lines), dtype=bool)
    answers = iter(match_lines([line for line, a in zip(lines, ask) if a]) if ask.any() else [])
    return [next(answers) if a else [] for a in ask]


class LearnedMatcher:
    """The phrase matcher plus the learned stage, answering as ``Matcher.match_lines`` does."""

    def __init__(self, phrase: Matcher, model: LearnedModel, weights_id: str):
        self.phrase = phrase
        self.framework = phrase.framework
        self.config: MatcherConfig = phrase.config
        self.model = model
        self.version = f"learned-{MODEL_NAME}@{weights_id}.{stage_code_fingerprint()[:8]}+{phrase.version}"
        self.features = TextFeatures(model.word_vocabulary, model.char_vocabulary, model.idf)
        self._dense_weights = np.asarray(model.weights, dtype=np.float32)
        self._domain_of = {c.id: c.domain_id for c in phrase.framework.competencies}

    def text_probabilities(self, folded: list[str]) -> tuple[np.ndarray, np.ndarray, SparseRows]:
        """(the competencies' probabilities, the "asks anything" probability, the lines' features)."""
        x = self.features.transform(folded)
        probs = sigmoid(x.dot(self._dense_weights) + self.model.bias)
        k = len(self.model.competencies)
        return probs[:, :k], probs[:, k], x

    def match_lines(self, lines: list[str]) -> list[list[CompetencyMatch]]:
        folded_of = {}
        for line in lines:
            if line not in folded_of:
                folded_of[line] = fold(line)
        distinct = [line for line, folded in folded_of.items() if len(folded) >= self.config.min_line_chars]
        if not distinct:
            return [[] for _ in lines]
        probs, asks, x = self.text_probabilities([folded_of[line] for line in distinct])
        phrase_answers = gated_phrase_answers(self.phrase.match_lines, distinct, probs, self.model.phrase_gate)
        found = self._decide(distinct, probs, asks, x, phrase_answers)
        return [list(found.get(line, [])) for line in lines]

    def _decide(self, distinct, probs, asks, x, phrase_answers) -> dict[str, list[CompetencyMatch]]:
        model = self.model
        pairs, rows = rescorer_rows(probs, model.competencies, phrase_answers, distinct, model.train_frequency,
                                    model.text_candidates, asks, model.phrase_reliability)
        scores = sigmoid(rows @ model.rescorer_coef + model.rescorer_intercept) if len(rows) else np.zeros(0)
        thresholds = model.thresholds_for([cid for _, cid in pairs], self._domain_of)
        kept: dict[int, list[tuple[float, str]]] = {}
        for (i, cid), score, threshold in zip(pairs, scores, thresholds):
            if score >= threshold:
                kept.setdefault(i, []).append((float(score), cid))
        limit = min(model.max_per_line, self.config.top_k)
        column = {cid: k for k, cid in enumerate(model.competencies)}
        answers = {}
        for i, chosen in kept.items():
            chosen.sort(key=lambda item: (-item[0], item[1]))
            phrase = {m.competency_id: m for m in phrase_answers[i]}
            matches = []
            for score, cid in chosen[:limit]:
                evidence = phrase[cid].evidence if cid in phrase else self._evidence(x, i, column.get(cid))
                matches.append(CompetencyMatch(cid, round(100 * score, 1), evidence))
            answers[distinct[i]] = matches
        return answers

    def _evidence(self, x, i: int, k: int | None) -> str:
        """The line's n-grams that pushed the text model towards the competency most."""
        if k is None:
            return "learned"
        indices, values = x.row(i)
        push = values * self._dense_weights[indices, k]
        words = len(self.features.word_vocabulary)
        order = np.argsort(-push, kind="stable")
        picked = [self.features.names[indices[j]] for j in order if push[j] > 0 and indices[j] < words]
        if not picked:
            picked = [self.features.names[indices[j]].strip() for j in order[:EVIDENCE_NGRAMS] if push[j] > 0]
        quoted = ", ".join(f"'{n}'" for n in picked[:EVIDENCE_NGRAMS])
        return f"learned ~ {quoted}" if quoted else "learned"

    def domains_of(self, matches: list[CompetencyMatch]) -> list[str]:
        return self.phrase.domains_of(matches)


_LOADED: dict[tuple, tuple[LearnedModel, str]] = {}


def load_model(directory: Path | None = None) -> tuple[LearnedModel, str] | None:
    """The model in ``directory`` (default: ``CIJOBS_MODEL_DIR``'s, else the shipped one) and its weights hash, or
    None when its files are not there. A directory ``CIJOBS_MODEL_DIR`` names must hold a readable model: a
    ``ModelError`` rather than a silent fall-back to the phrase matcher."""
    chosen = chosen_model_dir() if directory is None else None
    directory = directory or chosen or model_dir()
    if not (directory / f"{MODEL_NAME}.json").is_file() or not (directory / f"{MODEL_NAME}.npz").is_file():
        if chosen:
            raise ModelError(f"{MODEL_DIR_VARIABLE}={chosen}: no model there ({MODEL_NAME}.json and {MODEL_NAME}.npz; "
                             "`cijobs train` writes them)")
        return None
    stamp = tuple((s.st_mtime_ns, s.st_size) for s in ((directory / f"{MODEL_NAME}{suffix}").stat()
                                                      for suffix in (".json", ".npz")))
    key = (directory.resolve(), stamp)  # loaded once per process, again when the files change
    if key not in _LOADED:
        try:
            _LOADED[key] = (LearnedModel.load(directory), weights_hash(directory))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{directory}: the model cannot be read ({exc}); train it again with `cijobs train`") \
                from exc
    return _LOADED[key]


def learned_stage_for(matcher: Matcher, directory: Path | None = None):
    """The matcher with the learned stage on top when it applies (model present, trained for this framework's
    competencies, not switched off), else the matcher itself."""
    if isinstance(matcher, LearnedMatcher):
        return matcher
    loaded = load_model(directory)
    if loaded is None:
        return matcher
    model, weights_id = loaded
    if sorted(c.id for c in matcher.framework.competencies) != sorted(model.framework_ids):
        return matcher
    return LearnedMatcher(matcher, model, weights_id)


def selected_stage() -> str:
    """"phrase" when ``CIJOBS_MATCHER=phrase`` asks for the phrase matcher alone, else "learned" (the default
    since it was measured better on real advert lines no stage was tuned on, and no worse on written ones:
    docs/matching.md)."""
    stage = os.environ.get(SWITCH, "").strip().lower() or "learned"
    if stage not in STAGES:
        raise ValueError(f"{SWITCH}={stage!r}: use one of {', '.join(STAGES)}")
    return stage


def build_matcher(framework: Framework, config: MatcherConfig | None = None, stage: str | None = None):
    """The matcher every command uses (classify, eval, match, profile, the dashboard profiler): the phrase
    matcher, with the learned stage on top when it is selected and applies."""
    matcher = Matcher(framework, config)
    return learned_stage_for(matcher) if (stage or selected_stage()) == "learned" else matcher

"""The learned stage (matcher v6): a text model and a re-scorer on top of the phrase matcher.

Two steps, both plain linear models whose weights ship in ``matching/model/`` (``v6.json``: vocabulary
and settings; ``v6.npz``: the numbers), rebuilt by ``bench/train_matcher_v6.py`` from the labelled
real advert lines:

1. Text model. A line's folded text becomes TF-IDF features (word 1-2 grams and character 2-5 grams
   inside words, each block L2-normalised); one logistic regression per competency that has at least
   ``min_train_lines`` labelled training lines gives the probability that the line asks for it. The
   vocabulary keeps only n-grams seen in at least five different adverts, so no advert's wording can be
   rebuilt from it.
2. Re-scorer. Each candidate competency of a line (the text model's best few, plus whatever the phrase
   matcher returned) is scored by one shared logistic regression over: the text probability and its
   rank, whether the phrase matcher returned it and with what score, whether the competency has a text
   model, how often it was labelled in training, the line's length and the boilerplate flag. Candidates
   at or above the tuned threshold are kept, best first, at most ``max_per_line`` (and the phrase
   matcher's ``top_k``). Competencies too rare to learn reach the answer only through the phrase matcher.

The answer has the phrase matcher's shape (``CompetencyMatch``; score 0-100 is the re-scorer's
probability); the evidence is the phrase matcher's when it found the competency too, else the line's
n-grams that pushed the text model most. ``build_matcher`` is the one place the CLI's matchers are made:
it returns the learned stage when ``CIJOBS_MATCHER=learned`` selects it and the model files are there and
fit this framework's competencies; otherwise the phrase matcher alone (the default).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from advert_text.extract import is_boilerplate
from advert_text.normalise import fold
from matching.framework import Framework
from matching.matcher import CompetencyMatch, Matcher, MatcherConfig

MODEL_NAME = "v6"
SWITCH = "CIJOBS_MATCHER"  # "learned": the learned stage on top of the phrase matcher (default "phrase")
STAGES = ("phrase", "learned")
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
RESCORER_FEATURES = ("text_probability", "text_logit", "text_rank_inverse", "text_top", "phrase_found",
                     "phrase_score", "phrase_rank_inverse", "phrase_fallback", "phrase_and_text", "has_text_model",
                     "phrase_without_text_model", "phrase_score_without_text_model",
                     "train_frequency_log", "line_chars_log", "boilerplate", "phrase_matches_on_line")
EVIDENCE_NGRAMS = 3


def model_dir() -> Path:
    return Path(str(resources.files("matching") / "model"))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class TextFeatures:
    """Folded line -> TF-IDF row over a fixed vocabulary (word and character n-grams, each block L2-normalised)."""

    def __init__(self, word_vocabulary: list[str], char_vocabulary: list[str], idf: np.ndarray):
        from sklearn.feature_extraction.text import CountVectorizer

        self.word_vocabulary, self.char_vocabulary = list(word_vocabulary), list(char_vocabulary)
        self.names = self.word_vocabulary + self.char_vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self._word = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.word_vocabulary)},
                                     ngram_range=WORD_NGRAMS, token_pattern=TOKEN_PATTERN, lowercase=False,
                                     dtype=np.float64)
        self._char = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.char_vocabulary)},
                                     analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False, dtype=np.float64)

    @property
    def size(self) -> int:
        return len(self.names)

    def counts(self, folded: list[str]):
        from scipy import sparse

        return sparse.hstack([self._word.transform(folded), self._char.transform(folded)], format="csr")

    def transform(self, folded: list[str]):
        """Sublinear TF times IDF, then each block (words, characters) scaled to unit length."""
        from scipy import sparse

        x = self.counts(folded)
        x.data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        split = len(self.word_vocabulary)
        blocks = []
        for block in (x[:, :split], x[:, split:]):
            norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            blocks.append(sparse.diags(1.0 / norms) @ block)
        return sparse.hstack(blocks, format="csr")


@dataclass
class LearnedModel:
    """Everything the learned stage needs, as saved in ``v6.json`` + ``v6.npz``."""

    framework_ids: list[str]          # the competency ids of the framework it was trained for
    competencies: list[str]           # those with a text model, in column order
    word_vocabulary: list[str]
    char_vocabulary: list[str]
    idf: np.ndarray                   # (features,)
    weights: object                   # scipy CSR (features, competencies)
    bias: np.ndarray                  # (competencies,)
    rescorer_coef: np.ndarray         # (len(RESCORER_FEATURES),)
    rescorer_intercept: float
    threshold: float
    max_per_line: int
    text_candidates: int
    train_frequency: dict[str, int]
    info: dict

    def save(self, directory: Path, name: str = MODEL_NAME) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"format": 1, "framework_ids": self.framework_ids, "competencies": self.competencies,
                "rescorer_features": list(RESCORER_FEATURES), "threshold": self.threshold,
                "max_per_line": self.max_per_line, "text_candidates": self.text_candidates,
                "train_frequency": dict(sorted(self.train_frequency.items())), "info": self.info,
                "word_vocabulary": self.word_vocabulary, "char_vocabulary": self.char_vocabulary}
        json_path, npz_path = directory / f"{name}.json", directory / f"{name}.npz"
        json_path.write_text(json.dumps(meta, ensure_ascii=True, indent=0) + "\n", encoding="utf-8")
        w = self.weights.tocsr()
        w.sort_indices()
        arrays = {"idf": self.idf.astype(np.float32), "w_data": w.data.astype(np.float16),
                  "w_indices": w.indices.astype(np.int32), "w_indptr": w.indptr.astype(np.int32),
                  "w_shape": np.array(w.shape, dtype=np.int64), "bias": self.bias.astype(np.float32),
                  "rescorer_coef": self.rescorer_coef.astype(np.float64),
                  "rescorer_intercept": np.array([self.rescorer_intercept], dtype=np.float64)}
        # np.savez_compressed stamps zip entries with the current time: write entries by hand for stable bytes
        _save_npz_deterministic(npz_path, arrays)
        return json_path, npz_path

    @classmethod
    def load(cls, directory: Path, name: str = MODEL_NAME) -> LearnedModel:
        from scipy import sparse

        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        if tuple(meta["rescorer_features"]) != RESCORER_FEATURES:
            raise ValueError(f"{directory / name}: re-scorer features differ from this code's")
        with np.load(directory / f"{name}.npz") as data:
            weights = sparse.csr_matrix((data["w_data"].astype(np.float32), data["w_indices"], data["w_indptr"]),
                                        shape=tuple(data["w_shape"]))
            return cls(meta["framework_ids"], meta["competencies"], meta["word_vocabulary"], meta["char_vocabulary"],
                       data["idf"].astype(np.float64), weights, data["bias"].astype(np.float64),
                       data["rescorer_coef"], float(data["rescorer_intercept"][0]), float(meta["threshold"]),
                       int(meta["max_per_line"]), int(meta["text_candidates"]),
                       {k: int(v) for k, v in meta["train_frequency"].items()}, meta.get("info", {}))


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


def rescorer_rows(text_probs: np.ndarray, learned_ids: list[str], phrase_answers: list[list[CompetencyMatch]],
                  lines: list[str], train_frequency: dict[str, int], text_candidates: int):
    """Per line, its candidates and their re-scorer features: ([(line index, competency id)], matrix)."""
    column = {cid: k for k, cid in enumerate(learned_ids)}
    pairs, rows = [], []
    order = np.argsort(-text_probs, axis=1, kind="stable") if text_probs.size else np.zeros((len(lines), 0), int)
    for i, line in enumerate(lines):
        top = [learned_ids[k] for k in order[i, :text_candidates]]
        phrase = {m.competency_id: (rank, m) for rank, m in enumerate(phrase_answers[i], 1)}
        candidates = list(dict.fromkeys(top + list(phrase)))
        if not candidates:
            continue
        rank_of = {}
        if text_probs.size:
            ranks = np.empty(len(learned_ids), dtype=int)
            ranks[order[i]] = np.arange(1, len(learned_ids) + 1)
            rank_of = {cid: int(ranks[k]) for cid, k in column.items()}
        chars_log = math.log1p(len(line))
        boiler = float(is_boilerplate(line))
        for cid in candidates:
            k = column.get(cid)
            p = float(text_probs[i, k]) if k is not None else 0.0
            p_clip = min(max(p, 1e-4), 1 - 1e-4)
            rank = rank_of.get(cid)
            found = phrase.get(cid)
            rows.append((
                p, math.log(p_clip / (1 - p_clip)) if k is not None else 0.0, 1.0 / rank if rank else 0.0,
                float(rank == 1), float(found is not None), found[1].score / 100 if found else 0.0,
                1.0 / found[0] if found else 0.0,
                float(bool(found) and found[1].evidence.startswith("shared words")),
                p * float(found is not None), float(k is not None),
                float(found is not None and k is None), found[1].score / 100 if found and k is None else 0.0,
                math.log1p(train_frequency.get(cid, 0)), chars_log, boiler, float(len(phrase))))
            pairs.append((i, cid))
    return pairs, np.array(rows, dtype=np.float64).reshape(-1, len(RESCORER_FEATURES))


class LearnedMatcher:
    """The phrase matcher plus the learned stage, answering as ``Matcher.match_lines`` does."""

    def __init__(self, phrase: Matcher, model: LearnedModel, weights_id: str):
        self.phrase = phrase
        self.framework = phrase.framework
        self.config: MatcherConfig = phrase.config
        self.model = model
        self.version = f"learned-{MODEL_NAME}@{weights_id}+{phrase.version}"
        self.features = TextFeatures(model.word_vocabulary, model.char_vocabulary, model.idf)
        self._weights = model.weights.tocsc()  # evidence reads one competency's column
        self._dense_weights = model.weights.toarray().astype(np.float32)

    def text_probabilities(self, folded: list[str]) -> tuple[np.ndarray, object]:
        x = self.features.transform(folded)
        return sigmoid(np.asarray(x @ self._dense_weights, dtype=np.float64) + self.model.bias), x

    def match_lines(self, lines: list[str]) -> list[list[CompetencyMatch]]:
        folded_of = {}
        for line in lines:
            if line not in folded_of:
                folded_of[line] = fold(line)
        distinct = [line for line, folded in folded_of.items() if len(folded) >= self.config.min_line_chars]
        if not distinct:
            return [[] for _ in lines]
        phrase_answers = self.phrase.match_lines(distinct)
        probs, x = self.text_probabilities([folded_of[line] for line in distinct])
        found = self._decide(distinct, probs, x, phrase_answers)
        return [list(found.get(line, [])) for line in lines]

    def _decide(self, distinct, probs, x, phrase_answers) -> dict[str, list[CompetencyMatch]]:
        model = self.model
        pairs, rows = rescorer_rows(probs, model.competencies, phrase_answers, distinct, model.train_frequency,
                                    model.text_candidates)
        scores = sigmoid(rows @ model.rescorer_coef + model.rescorer_intercept) if len(rows) else np.zeros(0)
        kept: dict[int, list[tuple[float, str]]] = {}
        for (i, cid), score in zip(pairs, scores):
            if score >= model.threshold:
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
        row = x.getrow(i)
        weights = self._dense_weights[row.indices, k]
        push = row.data * weights
        words = len(self.features.word_vocabulary)
        order = np.argsort(-push, kind="stable")
        picked = [self.features.names[row.indices[j]] for j in order if push[j] > 0 and row.indices[j] < words]
        if not picked:
            picked = [self.features.names[row.indices[j]].strip() for j in order[:EVIDENCE_NGRAMS] if push[j] > 0]
        quoted = ", ".join(f"'{n}'" for n in picked[:EVIDENCE_NGRAMS])
        return f"learned ~ {quoted}" if quoted else "learned"

    def domains_of(self, matches: list[CompetencyMatch]) -> list[str]:
        return self.phrase.domains_of(matches)


_LOADED: dict[tuple, tuple[LearnedModel, str]] = {}


def load_model(directory: Path | None = None) -> tuple[LearnedModel, str] | None:
    """The shipped model and its weights hash, or None when its files are not there."""
    directory = directory or model_dir()
    if not (directory / f"{MODEL_NAME}.json").is_file() or not (directory / f"{MODEL_NAME}.npz").is_file():
        return None
    stamp = tuple((s.st_mtime_ns, s.st_size) for s in ((directory / f"{MODEL_NAME}{suffix}").stat()
                                                      for suffix in (".json", ".npz")))
    key = (directory.resolve(), stamp)  # loaded once per process, again when the files change
    if key not in _LOADED:
        _LOADED[key] = (LearnedModel.load(directory), weights_hash(directory))
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
    """"learned" when ``CIJOBS_MATCHER=learned`` asks for it, else "phrase" (the default: see docs/matching.md
    for why the learned stage is not the default yet)."""
    stage = os.environ.get(SWITCH, "").strip().lower() or "phrase"
    if stage not in STAGES:
        raise ValueError(f"{SWITCH}={stage!r}: use one of {', '.join(STAGES)}")
    return stage


def build_matcher(framework: Framework, config: MatcherConfig | None = None, stage: str | None = None):
    """The matcher every command uses (classify, eval, match, profile, the dashboard profiler): the phrase
    matcher, with the learned stage on top when it is selected and applies."""
    matcher = Matcher(framework, config)
    return learned_stage_for(matcher) if (stage or selected_stage()) == "learned" else matcher

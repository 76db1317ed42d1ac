"""The rapidfuzz matcher: requirement lines against each competency's key phrases.

Every line is folded and its abbreviations expanded; ``process.cdist`` then scores all
lines against all key phrases at once (rapidfuzz's C++/SIMD path, every core). A
competency's score for a line is its best key phrase's score; the line keeps the top-k
competencies at or above the threshold, each with the phrase and the words it matched as
evidence. Domains and subdomains are never matched directly: they follow from competencies.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from matching.framework import Framework
from matching.normalise import expand_abbreviations, fold

STEM_CHARS = 3
STOPWORDS = frozenset({"a", "an", "and", "of", "the", "to", "in", "for", "with", "or", "on", "at", "by", "as"})
SCORERS = {"partial_ratio": fuzz.partial_ratio, "token_set_ratio": fuzz.token_set_ratio, "ratio": fuzz.ratio}


@dataclass(frozen=True)
class MatcherConfig:
    version: str
    scorer: str
    threshold: float
    top_k: int
    short_phrase_chars: int
    min_line_chars: int
    abbreviations: dict[str, str]
    one_per_subdomain: bool = False
    min_relative_phrase_length: float = 0.0

    @property
    def fingerprint(self) -> str:
        """The matcher version as stored with each match: the name plus a hash of every setting."""
        digest = hashlib.sha256(json.dumps(self.__dict__, sort_keys=True).encode()).hexdigest()
        return f"{self.version}@{digest[:8]}"


def load_config(path: Path | str | None = None) -> MatcherConfig:
    if path is None:
        raw = yaml.safe_load((resources.files("matching") / "data" / "matcher.yaml").read_text(encoding="utf-8"))
    else:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if raw.get("scorer") not in SCORERS:
        raise ValueError(f"matcher scorer must be one of {', '.join(SCORERS)}, not {raw.get('scorer')!r}")
    return MatcherConfig(
        version=str(raw["version"]), scorer=raw["scorer"], threshold=float(raw["threshold"]),
        top_k=int(raw["top_k"]), short_phrase_chars=int(raw["short_phrase_chars"]),
        min_line_chars=int(raw["min_line_chars"]),
        one_per_subdomain=bool(raw.get("one_per_subdomain", False)),
        min_relative_phrase_length=float(raw.get("min_relative_phrase_length", 0.0)),
        abbreviations={str(k).lower(): str(v).lower() for k, v in (raw.get("abbreviations") or {}).items()},
    )


@dataclass(frozen=True)
class CompetencyMatch:
    competency_id: str
    score: float
    evidence: str


class Matcher:
    """Maps requirement lines onto a framework's competencies."""

    def __init__(self, framework: Framework, config: MatcherConfig | None = None):
        self.framework = framework
        self.config = config or load_config()
        self.version = self.config.fingerprint
        phrases, owners = [], []
        for competency in framework.competencies:
            for keyword in competency.keywords:
                phrase = fold(keyword)
                if phrase:
                    phrases.append(phrase)
                    owners.append(competency.id)
        self._phrases = phrases
        self._owners = np.array(owners)
        self._competency_ids = sorted(set(owners), key=lambda cid: [int(p) for p in cid.split(".")])
        self._short = np.array([len(p) <= self.config.short_phrase_chars for p in phrases])
        self._short_patterns = {
            i: re.compile(rf"\b{re.escape(p)}\b") for i, p in enumerate(phrases) if self._short[i]
        }
        self._by_stem: dict[str, list[int]] = {}
        for i, phrase in enumerate(phrases):
            words = [w for w in phrase.split() if w not in STOPWORDS] or phrase.split()
            for stem in {w[:STEM_CHARS] for w in words}:
                self._by_stem.setdefault(stem, []).append(i)

    def prepare(self, line: str) -> str:
        return expand_abbreviations(fold(line), self.config.abbreviations)

    def match_lines(self, lines: list[str]) -> list[list[CompetencyMatch]]:
        """The top-k competencies for each line, best first; an empty list where nothing reaches the threshold.

        Each distinct line is scored once, and only against the key phrases that share a word stem
        (first letters of a word) with it: a phrase with no such word cannot reach the threshold, and
        skipping it is what keeps the matcher fast with well over a thousand phrases.
        """
        prepared = [self.prepare(line) for line in lines]
        if not prepared or not self._phrases:
            return [[] for _ in lines]
        distinct = {text: None for text in prepared if len(text) >= self.config.min_line_chars}
        scorer = SCORERS[self.config.scorer]
        for text in distinct:
            candidates = self._candidates(text)
            scores = np.zeros(len(self._phrases), dtype=np.uint8)
            if candidates:
                found = process.cdist([text], [self._phrases[i] for i in candidates], scorer=scorer, processor=None,
                                      score_cutoff=self.config.threshold, dtype=np.uint8)[0]
                scores[candidates] = found
            distinct[text] = self._best_competencies(text, scores)
        return [list(distinct.get(text) or []) for text in prepared]

    def _candidates(self, text: str) -> list[int]:
        stems = {word[:STEM_CHARS] for word in text.split()}
        return sorted({i for stem in stems for i in self._by_stem.get(stem, ())})

    def _best_competencies(self, text: str, phrase_scores: np.ndarray) -> list[CompetencyMatch]:
        best: dict[str, tuple[float, int]] = {}
        for index in np.flatnonzero(phrase_scores):
            if self._short[index] and not self._short_patterns[index].search(text):
                continue
            score = float(phrase_scores[index])
            owner = str(self._owners[index])
            if owner not in best or score > best[owner][0] or (
                score == best[owner][0] and len(self._phrases[index]) > len(self._phrases[best[owner][1]])
            ):
                best[str(owner)] = (score, index)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], -len(self._phrases[item[1][1]])))
        ranked = self._select(ranked)
        return [
            CompetencyMatch(cid, score, self._evidence(text, index))
            for cid, (score, index) in ranked[: self.config.top_k]
        ]

    def _select(self, ranked: list[tuple[str, tuple[float, int]]]) -> list[tuple[str, tuple[float, int]]]:
        """Drop competencies that lose to a better one: a shorter, incidental phrase next to a long, specific
        one, or a neighbour in the same subdomain (the line is about one of them, not both)."""
        if not ranked:
            return ranked
        longest = max(len(self._phrases[index]) for _, (_, index) in ranked)
        kept, subdomains = [], set()
        for competency_id, (score, index) in ranked:
            if len(self._phrases[index]) < self.config.min_relative_phrase_length * longest:
                continue
            subdomain = competency_id.rsplit(".", 1)[0]
            if self.config.one_per_subdomain and subdomain in subdomains:
                continue
            subdomains.add(subdomain)
            kept.append((competency_id, (score, index)))
        return kept

    def _evidence(self, text: str, index: int) -> str:
        phrase = self._phrases[index]
        alignment = fuzz.partial_ratio_alignment(phrase, text)
        matched = text[alignment.dest_start:alignment.dest_end] if alignment else ""
        return f"'{phrase}' ~ '{matched}'"

    def domains_of(self, matches: list[CompetencyMatch]) -> list[str]:
        seen = []
        for match in matches:
            domain = self.framework.competency(match.competency_id).domain_id
            if domain not in seen:
                seen.append(domain)
        return sorted(seen, key=int)

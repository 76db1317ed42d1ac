"""The matcher's second chance: a line that no key phrase matched, scored by the words it shares
with each competency's vocabulary (the stems of its statement and key phrases).

Key phrases need an advert to use one of their wordings; real adverts paraphrase ("bring others
with you" for a shared vision). Shared informative words catch many of those paraphrases. Each word
is weighted by how few competencies use it (inverse document frequency), so "evaluation" counts
for more than "service"; a line must share several words, and enough weight, with its best
competency, those words must carry most of the line's own weight, and only that one competency is
kept.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from advert_text.normalise import fold
from matching.framework import Framework


@dataclass(frozen=True)
class VocabularyMatch:
    competency_id: str
    score: float          # 0-100: the share of the line's informative weight the competency covers
    shared_words: tuple[str, ...]


class CompetencyVocabulary:
    def __init__(self, framework: Framework, stem: Callable[[str], str], ignore_words: Iterable[str],
                 min_words: int, min_weight: float, min_share: float):
        self._stem = stem
        self._ignore = frozenset(ignore_words)
        self.min_words = min_words
        self.min_weight = min_weight
        self.min_share = min_share
        self._stems_of = {
            competency.id: self._content_stems(" ".join([competency.statement, *competency.keywords]))
            for competency in framework.competencies
        }
        counts = Counter(stem for stems in self._stems_of.values() for stem in stems)
        total = len(self._stems_of)
        self._weight = {stem: math.log(total / count) for stem, count in counts.items()}
        self._order = list(self._stems_of)
        # stem -> the positions (in framework order) of the competencies whose vocabulary holds it, so that a
        # line is compared with the few competencies it shares a word with instead of all of them
        self._holders: dict[str, list[int]] = {}
        for position, stems in enumerate(self._stems_of.values()):
            for stem in stems:
                self._holders.setdefault(stem, []).append(position)

    def _content_stems(self, text: str) -> set[str]:
        return {self._stem(word) for word in fold(text).split() if len(word) > 2 and word not in self._ignore}

    def best(self, words: Iterable[str]) -> VocabularyMatch | None:
        """The competency sharing the most weight with these (folded) words, if it shares enough."""
        line_stems = {self._stem(word): word for word in words if len(word) > 2 and word not in self._ignore}
        known = [stem for stem in line_stems if stem in self._weight]
        if len(known) < self.min_words:
            return None
        shared_by: dict[int, list[str]] = {}
        weight_of: dict[int, float] = {}
        for stem in known:  # in the line's order, so each sum adds the same floats in the same order as ever
            weight = self._weight[stem]
            for position in self._holders[stem]:
                shared_by.setdefault(position, []).append(stem)
                weight_of[position] = weight_of.get(position, 0) + weight
        best_id, best_weight, best_shared = None, 0.0, ()
        for position in sorted(shared_by):  # framework order: the first of equal weights wins
            shared = shared_by[position]
            if len(shared) >= self.min_words and weight_of[position] > best_weight:
                best_id, best_weight, best_shared = self._order[position], weight_of[position], tuple(shared)
        if best_id is None or best_weight < self.min_weight:
            return None
        share = 100 * best_weight / sum(self._weight[stem] for stem in known)
        if share < self.min_share:
            return None  # most of the line is about something else (real adverts' prose mentions everything)
        return VocabularyMatch(best_id, round(share, 1), tuple(line_stems[stem] for stem in best_shared))

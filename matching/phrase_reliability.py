"""How often each key phrase's answer was right on the training lines: features of the learned stage's re-scorer.

A phrase that names a setting or a topic ("clinical systems", generic leadership wording) fires on many real lines
that do not ask for its competency; one that names a demand is mostly right. The counts are taken on the labelled
real training lines, per (competency, key phrase) and per competency, and each rate is smoothed towards the rate of
every phrase answer by ``PRIOR_WEIGHT`` pseudo-answers, so a phrase seen twice says little. A phrase's rate is not
smoothed towards its competency's: a phrase never answered in training ("dcb0129") would inherit the record of
another phrase of the competency that names a setting ("clinical safety"); the competency's rate is a feature of its
own. Only the framework's own key phrases and counts are kept, never a line's text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from matching.matcher import CompetencyMatch

PRIOR_WEIGHT = 3.0
ALL_PHRASES = "*"                 # a competency's row of totals
FALLBACK = "(shared words)"       # the vocabulary fallback's answers, which quote no key phrase
NO_ANSWER = (0.0, 0.0, 0.0, 0.0)  # a candidate the phrase matcher did not return


def phrase_of(match: CompetencyMatch) -> str:
    """The key phrase a phrase-matcher answer quotes (its evidence reads "'phrase' ~ 'line words'")."""
    evidence = match.evidence
    return evidence[1:].split("' ~ '")[0] if evidence.startswith("'") and "' ~ '" in evidence else FALLBACK


@dataclass
class PhraseReliability:
    """competency -> phrase (or ``ALL_PHRASES``) -> [answers, right answers] on the counted lines."""

    counts: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @classmethod
    def count(cls, answers: list[list[CompetencyMatch]], labels: list[set[str]]) -> PhraseReliability:
        counts: dict[str, dict[str, list[int]]] = {}
        for found, labelled in zip(answers, labels):
            for match in found:
                right = int(match.competency_id in labelled)
                rows = counts.setdefault(match.competency_id, {})
                for key in (phrase_of(match), ALL_PHRASES):
                    tally = rows.setdefault(key, [0, 0])
                    tally[0] += 1
                    tally[1] += right
        return cls(counts)

    def combined(self, other: PhraseReliability, sign: int = 1) -> PhraseReliability:
        """These counts plus (sign 1) or minus (sign -1) another's: a fold's counts left out of the total."""
        counts = {cid: {key: list(tally) for key, tally in rows.items()} for cid, rows in self.counts.items()}
        for cid, rows in other.counts.items():
            for key, (answers, right) in rows.items():
                tally = counts.setdefault(cid, {}).setdefault(key, [0, 0])
                tally[0] += sign * answers
                tally[1] += sign * right
        return PhraseReliability(counts)

    @property
    def prior(self) -> float:
        """The share of every counted phrase answer that was right (0.5 when nothing was counted)."""
        answers = sum(rows.get(ALL_PHRASES, [0, 0])[0] for rows in self.counts.values())
        right = sum(rows.get(ALL_PHRASES, [0, 0])[1] for rows in self.counts.values())
        return right / answers if answers else 0.5

    def features(self, match: CompetencyMatch | None, prior: float) -> tuple[float, float, float, float]:
        """(phrase's smoothed rate right, log(1 + its answers), the competency's, log(1 + its answers)) for one
        candidate; zeros for a candidate the phrase matcher did not return."""
        if match is None:
            return NO_ANSWER
        rows = self.counts.get(match.competency_id, {})
        all_answers, all_right = rows.get(ALL_PHRASES, (0, 0))
        competency_rate = (all_right + PRIOR_WEIGHT * prior) / (all_answers + PRIOR_WEIGHT)
        answers, right = rows.get(phrase_of(match), (0, 0))
        phrase_rate = (right + PRIOR_WEIGHT * prior) / (answers + PRIOR_WEIGHT)
        return phrase_rate, math.log1p(answers), competency_rate, math.log1p(all_answers)

    def as_json(self) -> dict:
        return {cid: dict(sorted(rows.items())) for cid, rows in sorted(self.counts.items())
                if rows.get(ALL_PHRASES, [0])[0] > 0}

    @classmethod
    def from_json(cls, data: dict) -> PhraseReliability:
        return cls({cid: {key: [int(a), int(r)] for key, (a, r) in rows.items()} for cid, rows in data.items()})

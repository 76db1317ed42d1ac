"""How often each key phrase's answer was right on the training lines (a feature of the learned stage's re-scorer):
counted per phrase and per competency, smoothed towards the coarser rate, a fold's counts taken out, kept as JSON."""
from __future__ import annotations

import math

import pytest

from matching.matcher import CompetencyMatch
from matching.phrase_reliability import ALL_PHRASES, FALLBACK, NO_ANSWER, PRIOR_WEIGHT, PhraseReliability, phrase_of


def _match(cid: str, phrase: str | None) -> CompetencyMatch:
    evidence = f"'{phrase}' ~ 'some words'" if phrase else "shared words ~ 'data quality audit'"
    return CompetencyMatch(cid, 95.0, evidence)


def test_the_phrase_is_read_from_the_evidence():
    assert phrase_of(_match("2.1.1", "clinical systems")) == "clinical systems"
    assert phrase_of(_match("2.1.1", "systems that don't talk")) == "systems that don't talk"
    assert phrase_of(_match("3.2.1", None)) == FALLBACK


def test_counts_and_smoothed_rates():
    answers = [[_match("2.1.1", "clinical systems")], [_match("2.1.1", "clinical systems")],
               [_match("2.1.1", "epr"), _match("6.1.1", "leadership")], [_match("6.1.1", "leadership")]]
    labels = [set(), {"2.1.1"}, {"2.1.1"}, set()]
    reliability = PhraseReliability.count(answers, labels)
    assert reliability.counts["2.1.1"] == {"clinical systems": [2, 1], "epr": [1, 1], ALL_PHRASES: [3, 2]}
    assert reliability.prior == pytest.approx(2 / 5)
    competency = (2 + PRIOR_WEIGHT * 0.4) / (3 + PRIOR_WEIGHT)
    rate, uses, competency_rate, competency_uses = reliability.features(_match("2.1.1", "clinical systems"), 0.4)
    assert rate == pytest.approx((1 + PRIOR_WEIGHT * 0.4) / (2 + PRIOR_WEIGHT))
    assert (uses, competency_rate, competency_uses) == (pytest.approx(math.log(3)), pytest.approx(competency),
                                                       pytest.approx(math.log(4)))
    # a phrase never answered does not inherit its competency's other phrases' record: the overall rate
    unseen = reliability.features(_match("2.1.1", "a phrase never answered"), 0.4)
    assert unseen[0] == pytest.approx(0.4) and unseen[1] == 0.0 and unseen[2] == pytest.approx(competency)
    assert reliability.features(None, 0.4) == NO_ANSWER


def test_a_folds_counts_come_out_and_the_json_round_trips():
    first = PhraseReliability.count([[_match("2.1.1", "epr")]], [{"2.1.1"}])
    second = PhraseReliability.count([[_match("2.1.1", "epr"), _match("6.1.1", "leadership")]], [set()])
    total = first.combined(second)
    assert total.counts["2.1.1"]["epr"] == [2, 1]
    assert total.combined(second, sign=-1).counts["2.1.1"]["epr"] == [1, 1]
    assert PhraseReliability.from_json(total.as_json()) == total
    assert "6.1.1" not in total.combined(second, sign=-1).as_json()  # no answers left: not kept

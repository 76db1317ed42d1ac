"""The trainer of the learned stage (matching/training.py) on lines written for the tests: its vocabulary rule, the
competencies it learns, its determinism. The shipped model's own retrain is `bench/train_matcher_v6.py`'s."""
from __future__ import annotations

import numpy as np
import pytest

from advert_text.normalise import fold
from matching.framework import load_framework
from matching.learned import LearnedModel, weights_hash
from matching.matcher import Matcher
from matching.training import (
    DOMAIN_F1_COST,
    MIN_TRAIN_LINES,
    Decisions,
    TrainingError,
    build_vocabulary,
    train,
    tune_domain_thresholds,
    tune_threshold,
)
from tests.matching.written_lines import labelled_lines


def _rows(lines: list[dict]) -> list[dict]:
    return [{"id": str(i), "text": r["text"], "folded": fold(r["text"]), "competencies": r["competencies"],
             "advert": r["advert_id"], "weight": 1.0} for i, r in enumerate(lines)]


@pytest.fixture(scope="module")
def phrase():
    return Matcher(load_framework())


def _train(rows: list[dict], phrase: Matcher):
    adverts = sorted({r["advert"] for r in rows})
    held = set(adverts[::4])
    answers = dict(zip([r["text"] for r in rows], phrase.match_lines([r["text"] for r in rows])))
    return train([r for r in rows if r["advert"] not in held], [r for r in rows if r["advert"] in held], phrase,
                 answers, log=lambda *_: None, notes={"trained_by": "test"})


def test_the_vocabulary_keeps_only_ngrams_seen_in_five_adverts():
    folded = ["shared words here", "shared words too", "shared words again", "shared words more", "shared words",
              "rare phrase", "rare phrase"]
    words, chars = build_vocabulary(folded, ["a", "b", "c", "d", "e", "a", "b"])
    assert "shared" in words and "shared words" in words
    assert "rare" not in words and "phrase" not in words and not any("rar" in gram for gram in chars)


def test_learns_competencies_with_enough_lines_deterministically(phrase, tmp_path):
    lines = labelled_lines()
    lines += [{"advert_id": f"T{a:03d}", "text": "Codes diagnoses in SNOMED CT for the registry", "competencies":
               ["2.5.1"]} for a in range(MIN_TRAIN_LINES - 4)]
    rows = _rows(lines)
    model, chosen = _train(rows, phrase)
    assert model.competencies == ["3.1.4", "3.4.1", "4.2.1", "6.3.2"]  # 2.5.1 is too rare: the phrase matcher's
    assert model.train_frequency["2.5.1"] < MIN_TRAIN_LINES and model.info["trained_by"] == "test"
    assert 0 < chosen["threshold"] < 1 and chosen["phrase_gate"] == 0.0  # no helper-written lines to guard a gate
    again, _ = _train(rows, phrase)
    model.save(tmp_path / "first")
    again.save(tmp_path / "second")
    assert weights_hash(tmp_path / "first") == weights_hash(tmp_path / "second")
    assert LearnedModel.load(tmp_path / "first").threshold == model.threshold


def test_lines_of_too_few_adverts_cannot_build_a_vocabulary(phrase):
    rows = _rows([{**r, "advert_id": f"T{i % 4}"} for i, r in enumerate(labelled_lines(20))])
    with pytest.raises(TrainingError, match="5 different adverts"):
        _train(rows, phrase)


DOMAIN_OF = {"2.1.1": "2", "2.1.2": "2", "3.1.4": "3", "6.1.1": "6"}


def test_decisions_answer_as_production_does_under_per_domain_thresholds():
    pairs = [(0, "2.1.1"), (0, "2.1.2"), (0, "6.1.1"), (0, "3.1.4"), (1, "6.1.1"), (2, "2.1.1")]
    scores = np.array([0.9, 0.5, 0.4, 0.3, 0.35, 0.8])
    gold = [{"2.1.1", "6.1.1"}, set(), {"2.1.1"}]
    decisions = Decisions(pairs, scores, gold, [False, False, True], DOMAIN_OF)  # line 2 is boilerplate
    assert decisions.domains == ["2", "3", "6"]
    everywhere = decisions.thresholds(0.2, {})
    assert decisions.answers(everywhere, 3) == [{"2.1.1", "2.1.2", "6.1.1"}, {"6.1.1"}, set()]  # at most three
    f1, found, labelled = decisions.outcome(everywhere)
    assert f1 == pytest.approx(2 * 2 / (4 + 3))
    assert found.tolist() == [1, 0, 2] and labelled.tolist() == [2, 0, 1]
    stricter_six = decisions.thresholds(0.2, {"6": 0.38})
    assert decisions.answers(stricter_six, 3) == [{"2.1.1", "2.1.2", "6.1.1"}, set(), set()]
    assert decisions.outcome(stricter_six)[1].tolist() == [1, 0, 1]


def test_domain_thresholds_bring_found_per_labelled_towards_one_where_enough_lines_are_labelled():
    rng = np.random.default_rng(0)
    n = 400
    scores = rng.random(n)
    gold = [{"2.1.1"} if rng.random() < 0.9 * s else set() for s in scores]
    pairs = [(i, "2.1.1") for i in range(n)] + [(i, "6.1.1") for i in range(0, n, 40)]
    gold = [g | ({"6.1.1"} if i % 80 == 0 else set()) for i, g in enumerate(gold)]  # domain 6: 5 labelled lines
    decisions = Decisions(pairs, np.concatenate([scores, np.full(10, 0.9)]), gold, [False] * n, DOMAIN_OF)
    threshold, best_f1 = tune_threshold(decisions)
    tuned = tune_domain_thresholds(decisions, threshold)
    assert set(tuned) == {"2"}  # too few labelled lines in domain 6 for a threshold of its own
    two = decisions.domains.index("2")
    before = decisions.outcome(decisions.thresholds(threshold, {}))
    after = decisions.outcome(decisions.thresholds(threshold, tuned))
    assert abs(after[1][two] / after[2][two] - 1) <= abs(before[1][two] / before[2][two] - 1)
    assert after[0] >= best_f1 - DOMAIN_F1_COST

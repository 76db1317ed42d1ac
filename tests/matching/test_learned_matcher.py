"""The learned matching stage (matcher v6): the shipped model loads, answers in the phrase matcher's contract,
and its version follows its weights. No test needs the 2020 corpus."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from matching.classify import classify_lines
from matching.framework import load_framework
from matching.learned import (
    LINE_TARGETS,
    RESCORER_FEATURES,
    SWITCH,
    LearnedMatcher,
    LearnedModel,
    build_matcher,
    learned_stage_for,
    model_dir,
)
from matching.matcher import CompetencyMatch, Matcher
from tests.conftest import ROOT, run_cijobs

pytestmark = pytest.mark.skipif(not (model_dir() / "v6.npz").is_file(), reason="no learned model shipped")

# A line that asks (the learned stage reads a bare title such as "Clinical safety officer (DCB0129)" as a heading
# that asks nothing, as most such lines of real adverts are; docs/matching.md lists it among the failure examples)
SAFETY = "Experience as a Clinical Safety Officer (DCB0129)"
LINES = ["Experience of SQL and Power BI", SAFETY, "Enhanced DBS check required", "",
         "Knowledge of information governance and the Data Protection Act", "Experience of SQL and Power BI"]


@pytest.fixture(scope="module")
def learned():
    matcher = build_matcher(load_framework(), stage="learned")
    assert isinstance(matcher, LearnedMatcher)
    return matcher


def test_the_shipped_model_is_small_and_keeps_only_its_features(learned):
    sizes = sum((model_dir() / name).stat().st_size for name in ("v6.json", "v6.npz"))
    assert sizes < 5_000_000
    meta = json.loads((model_dir() / "v6.json").read_text(encoding="utf-8"))
    assert tuple(meta["rescorer_features"]) == RESCORER_FEATURES
    assert meta["info"]["min_adverts"] >= 5
    model = learned.model
    assert model.weights.shape == (len(model.word_vocabulary) + len(model.char_vocabulary),
                                   len(model.competencies) + len(model.line_targets))
    assert model.line_targets == list(LINE_TARGETS)
    assert set(model.competencies) <= set(model.framework_ids) and 0 < model.threshold < 1
    domains = {c.domain_id for c in learned.framework.competencies}
    assert set(model.domain_thresholds) <= domains and all(0 < t < 1 for t in model.domain_thresholds.values())
    assert set(model.phrase_reliability.counts) <= set(model.framework_ids)


def test_answers_in_the_competency_match_contract(learned):
    results = classify_lines(learned, LINES)
    assert len(results) == len(LINES)
    ids = {c.id for c in learned.framework.competencies}
    for found in results:
        assert len(found) <= 3
        assert len({m.competency_id for m in found}) == len(found)
        assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
        for match in found:
            assert isinstance(match, CompetencyMatch) and match.competency_id in ids
            assert 0 <= match.score <= 100 and match.evidence
    assert results[2] == [] and results[3] == []  # boilerplate, empty
    assert results[0] == results[5]
    assert "4.2.1" in [m.competency_id for m in results[1]]
    assert learned.domains_of(results[0]) == sorted(learned.domains_of(results[0]), key=int)


def test_top_k_of_the_phrase_config_caps_the_answer():
    import dataclasses

    from matching.matcher import load_config

    matcher = build_matcher(load_framework(), dataclasses.replace(load_config(), top_k=1), stage="learned")
    assert all(len(found) <= 1 for found in matcher.match_lines(["SQL, Python, Power BI, FHIR and SNOMED CT"] + LINES))


def test_version_names_the_weights_and_changes_with_them(learned, tmp_path):
    phrase = Matcher(load_framework())
    assert learned.version.startswith("learned-v6@") and learned.version.endswith(phrase.version)
    copy = tmp_path / "model"
    shutil.copytree(model_dir(), copy)
    assert learned_stage_for(phrase, copy).version == learned.version
    model = LearnedModel.load(copy)
    model.bias = model.bias + np.float64(0.5)
    model.save(copy)
    assert learned_stage_for(phrase, copy).version != learned.version


def test_version_follows_the_stage_code_too(learned, tmp_path, monkeypatch):
    from matching import learned as learned_module

    shutil.copytree(ROOT / "matching", tmp_path / "matching", ignore=shutil.ignore_patterns("__pycache__", "model"))
    module = tmp_path / "matching" / "phrase_reliability.py"
    source = module.read_text(encoding="utf-8")
    assert "PRIOR_WEIGHT = 3.0" in source
    module.write_text(source.replace("PRIOR_WEIGHT = 3.0", "PRIOR_WEIGHT = 2.0"), encoding="utf-8")
    monkeypatch.setattr(learned_module.resources, "files", lambda package: tmp_path / package)
    learned_module.stage_code_fingerprint.cache_clear()
    try:
        changed = LearnedMatcher(learned.phrase, learned.model, "same").version
        monkeypatch.undo()
        learned_module.stage_code_fingerprint.cache_clear()
        assert changed != LearnedMatcher(learned.phrase, learned.model, "same").version
    finally:
        learned_module.stage_code_fingerprint.cache_clear()


def test_every_module_the_learned_stage_imports_is_versioned():
    from matching.learned import STAGE_MODULES
    from matching.matcher import MATCHING_MODULES
    from tests.matching.test_matching import VERSIONED_ELSEWHERE, modules_reached_from

    reached = modules_reached_from(("matching", "learned.py"))
    assert reached - VERSIONED_ELSEWHERE <= set(STAGE_MODULES) | set(MATCHING_MODULES)


def test_a_domains_threshold_applies_to_its_competencies_only(learned, tmp_path):
    line = f"{SAFETY} and in SQL"
    found = {m.competency_id for m in learned.match_lines([line])[0]}
    assert "4.2.1" in found
    copy = tmp_path / "model"
    shutil.copytree(model_dir(), copy)
    model = LearnedModel.load(copy)
    model.domain_thresholds = {**model.domain_thresholds, "4": 1.0}
    model.save(copy)
    strict = learned_stage_for(Matcher(load_framework()), copy)
    assert {m.competency_id for m in strict.match_lines([line])[0]} == {c for c in found if not c.startswith("4.")}


def test_phrase_matcher_stays_for_other_frameworks_and_on_request(tmp_path, monkeypatch):
    small = tmp_path / "small.yaml"
    small.write_text("- id: 1\n  title: Planning\n  subdomains:\n  - id: '1.1'\n    title: Plans\n    competencies:\n"
                     "    - id: 1.1.1\n      statement: Writes plans.\n      keywords: [long term plan]\n"
                     "      confidence: inferred\n", encoding="utf-8")
    assert type(build_matcher(load_framework(small), stage="learned")) is Matcher
    monkeypatch.delenv(SWITCH, raising=False)
    assert type(build_matcher(load_framework())) is LearnedMatcher  # the learned stage is the default
    monkeypatch.setenv(SWITCH, "phrase")
    assert type(build_matcher(load_framework())) is Matcher


def test_classify_reports_through_the_learned_stage_unless_the_phrase_matcher_is_asked_for():
    learned = json.loads(run_cijobs("classify", input=f"{SAFETY}\n").stdout)
    phrase = json.loads(run_cijobs("classify", input=f"{SAFETY}\n", env={SWITCH: "phrase"}).stdout)
    assert "4.2.1" in [c["id"] for c in learned["competencies"]]
    assert "4.2.1" in [c["id"] for c in phrase["competencies"]]


def test_features_are_scikit_learns_ngrams(learned):
    """Answering counts n-grams without scikit-learn; the trainer builds the vocabulary with it: both must agree."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    from matching.learned import CHAR_NGRAMS, TOKEN_PATTERN, WORD_NGRAMS

    features = learned.features
    folded = ["experience of sql and power bi", "a", "", "x  y\tz", "clinical safety officer (dcb0129) on-call"]
    word = CountVectorizer(vocabulary={t: i for i, t in enumerate(features.word_vocabulary)}, lowercase=False,
                           ngram_range=WORD_NGRAMS, token_pattern=TOKEN_PATTERN)
    char = CountVectorizer(vocabulary={t: i for i, t in enumerate(features.char_vocabulary)}, lowercase=False,
                           analyzer="char_wb", ngram_range=CHAR_NGRAMS)
    expected = sparse.hstack([word.transform(folded), char.transform(folded)]).toarray()
    assert np.array_equal(features.counts(folded).tocsr().toarray(), expected)


def test_gated_lines_skip_the_phrase_matcher():
    from matching.learned import gated_phrase_answers

    asked = []
    answers = gated_phrase_answers(lambda lines: asked.extend(lines) or [[("found", line)] for line in lines],
                                   ["a", "b", "c"], np.array([[0.5, 0.1], [0.01, 0.02], [0.0, 0.3]]), 0.2)
    assert asked == ["a", "c"] and answers == [[("found", "a")], [], [("found", "c")]]

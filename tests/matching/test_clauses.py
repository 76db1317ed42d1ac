"""Clauses and the phrase matcher: asked about each clause of a long line, it finds each demand with evidence from
the clause that makes it (bench/clause_eval.py measures whether that helps; no matcher does it by default)."""
from __future__ import annotations

from advert_text.clauses import clauses
from matching.framework import load_framework
from matching.matcher import Matcher

TWO_DEMANDS = ("You will maintain the information governance policies of the department, as well as deliver "
               "training sessions to new users of the clinical systems.")


def test_each_clause_of_a_line_with_two_demands_gets_its_own_competency_with_its_own_words():
    first, second = clauses(TWO_DEMANDS)
    first_found, second_found = Matcher(load_framework()).match_lines([first, second])
    governance = next(m for m in first_found if m.competency_id == "3.4.1")
    training = next(m for m in second_found if m.competency_id == "6.3.1")
    assert governance.evidence.endswith("~ 'information governance'") and "information governance" in first
    assert training.evidence.endswith("~ 'deliver training'") and "deliver training" in second
    assert "6.3.1" not in {m.competency_id for m in first_found}
    assert "3.4.1" not in {m.competency_id for m in second_found}

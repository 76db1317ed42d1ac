"""advert_text.clauses: long lines cut into clauses nearer to one demand each (lines written for these tests)."""
from __future__ import annotations

import pytest

from advert_text.clauses import MIN_SPLIT_CHARS, clause_spans, clauses

TWO_DEMANDS = ("You will maintain the information governance policies of the department, as well as deliver "
               "training sessions to new users of the clinical systems.")


def test_a_short_line_is_left_whole():
    line = "Experience of SQL; Power BI; Python"
    assert len(line) < MIN_SPLIT_CHARS
    assert clauses(line) == [line]


def test_a_line_with_nothing_to_cut_is_left_whole():
    line = ("Experience of designing, building and maintaining data warehouses for hospital activity reporting "
            "across several divisions")
    assert len(line) >= MIN_SPLIT_CHARS
    assert clauses(line) == [line]


def test_two_demands_joined_by_a_coordination_become_two_clauses_and_the_coordination_stays_with_its_clause():
    assert clauses(TWO_DEMANDS) == ["You will maintain the information governance policies of the department",
                                    "as well as deliver training sessions to new users of the clinical systems."]


@pytest.mark.parametrize("line, first, second", [
    ("Write SQL queries against the data warehouse to produce the monthly activity reports; manage projects "
     "using PRINCE2 and report progress to the programme board.",
     "Write SQL queries against the data warehouse to produce the monthly activity reports",
     "manage projects using PRINCE2 and report progress to the programme board."),
    ("Configure the pathology system for the new analysers across both laboratory sites.Train the laboratory "
     "staff on every change to the system", "Configure the pathology system for the new analysers across both "
     "laboratory sites", "Train the laboratory staff on every change to the system"),
    ("Lead the rollout of the electronic prescribing system to the surgical wards, ensuring that every pharmacist "
     "is trained before go-live", "Lead the rollout of the electronic prescribing system to the surgical wards",
     "ensuring that every pharmacist is trained before go-live"),
    ("You need strong analytical skills for the performance reports - You will present your findings to the "
     "divisional boards every month", "You need strong analytical skills for the performance reports",
     "You will present your findings to the divisional boards every month"),
])
def test_breaks_the_extractor_left_in_a_line_cut_it(line, first, second):
    assert clauses(line) == [first, second]


@pytest.mark.parametrize("line", [
    "You will be responsible for analysing, interpreting and presenting information to support performance "
    "management and service development",                                      # a list of -ing verbs
    "Good knowledge of the classifications used by clinical coders (e.g. ICD-10; OPCS-4) and of the audit "
    "methods used by the national audit programme",                            # a semicolon inside brackets
    "Please send any questions about the audit programme to jo.bloggs@example.org before the closing date",
])
def test_lists_brackets_and_addresses_are_not_breaks(line):
    assert clauses(line) == [line]


def test_a_piece_too_short_to_ask_anything_stays_with_its_neighbour():
    line = ("Monday - Friday: You will run the daily extract of the patient administration system and check it "
            "against the data warehouse")
    assert clauses(line) == [line]


def test_clauses_are_spans_of_the_line_so_their_words_are_the_lines_own():
    spans = clause_spans(TWO_DEMANDS)
    assert len(spans) == 2 and spans[0][1] <= spans[1][0]
    assert [TWO_DEMANDS[start:end] for start, end in spans] == clauses(TWO_DEMANDS)

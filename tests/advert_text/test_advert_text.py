"""advert_text: the one way the crawler and matching read an advert's text."""
from __future__ import annotations

import lxml.html
import pytest

from advert_text.extract import is_boilerplate, requirements_from_text, split_lines
from advert_text.html import block_lines, html_to_text
from advert_text.sections import heading_of, sectioned_lines


def test_every_block_element_starts_a_line_and_scripts_never_show():
    html = ("<div>Intro<p>First para</p>tail text<ul><li>SQL</li><li>Power BI</li></ul><h5>Desirable</h5>"
            "<dl><dt>Term</dt><dd>Meaning</dd></dl><script>alert(1)</script><noscript>x</noscript></div>")
    lines = [line.strip() for line in html_to_text(html).splitlines() if line.strip()]
    assert lines == ["Intro", "First para", "tail text", "SQL", "Power BI", "Desirable", "Term", "Meaning"]


def test_block_lines_squash_whitespace_and_leave_the_page_as_it_was():
    element = lxml.html.fragment_fromstring("<div><p>One\n   line</p><p>Two</p><p>  </p></div>")
    before = lxml.html.tostring(element)
    assert block_lines(element) == ["One line", "Two"]
    assert lxml.html.tostring(element) == before


def test_an_empty_or_comment_only_page_has_no_text():
    assert html_to_text("") == "" and html_to_text("<!-- nothing -->") == ""


@pytest.mark.parametrize("line, expected", [
    ("Essential criteria", ("person_specification", "essential")),
    ("Desirable:", ("person_specification", "desirable")),
    ("Main duties of the job", ("duties", None)),
    ("About us", ("about", None)),
    ("What we offer:", ("about", None)),
    ("The ideal candidate will have the following skills and experience:", ("person_specification", None)),
    ("Experience of SQL and data warehousing in a large NHS organisation is essential", None),
])
def test_headings_name_their_section_and_level(line, expected):
    assert heading_of(line) == expected


def test_lines_take_the_section_and_level_of_the_heading_above_them_or_their_own_marker():
    lines = ["Essential", "Experience of SQL", "ITIL Foundation (Desirable)", "Desirable",
             "PRINCE2 qualification", "About us", "We are a large teaching trust"]
    found = [(line.section, line.level, line.text) for line in sectioned_lines(lines)]
    assert found == [("person_specification", "essential", "Experience of SQL"),
                     ("person_specification", "desirable", "ITIL Foundation"),
                     ("person_specification", "desirable", "PRINCE2 qualification"),
                     ("about", None, "We are a large teaching trust")]


def test_boilerplate_never_becomes_a_requirement_but_an_applicant_asked_for_skills_does():
    assert is_boilerplate("This post is subject to an enhanced DBS check")
    assert is_boilerplate("Applicants must have the right to work in the UK")
    assert not is_boilerplate("The successful applicant will have experience of SQL")
    assert is_boilerplate("We carry out 300 procedures a day")
    assert not is_boilerplate("We are looking for someone with Power BI experience")


def test_pasted_text_keeps_criteria_with_their_level_and_drops_the_title_and_about_us():
    text = ("Clinical Safety Officer\nBand 8a | Northshire NHS Trust | Leeds\nEssential\nDCB0129 experience\n"
            "Desirable\nSQL\nAbout us\nWe employ 9,000 staff across three hospitals.\n")
    rows = [(row["level"], row["text"]) for row in requirements_from_text(text)]
    assert rows == [("essential", "DCB0129 experience"), ("desirable", "SQL")]


def test_prose_splits_into_bullet_and_sentence_sized_lines():
    prose = "• Lead the EPR roll-out. Train ward staff on the new system.\n- Report to the CCIO"
    assert split_lines(prose) == ["Lead the EPR roll-out.", "Train ward staff on the new system.",
                                  "Report to the CCIO"]


def test_every_labelled_real_line_is_still_read_from_its_advert():
    """The labels keep keys (a hash of each line), not texts: a change to how adverts are read into lines
    must not orphan them."""
    import json
    import sys

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    import real_corpus

    if not real_corpus.DEFAULT_CORPUS.is_file():
        pytest.skip(f"no corpus at {real_corpus.DEFAULT_CORPUS}")
    wanted: dict[str, set[str]] = {}
    drawn_from_unreserved = set()
    for name in ("real_2020_v6_labels.jsonl", "real_2020_v6_round2_labels.jsonl", "real_2020_v6_round3_labels.jsonl",
                 "real_2020_v6_round4_labels.jsonl", "real_2020_labels.jsonl"):
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
            key = json.loads(line)["key"]
            wanted.setdefault(key.split(":")[0], set()).add(key)
            if "v6" in name:
                drawn_from_unreserved.add(key.split(":")[0])
    orphaned = set()
    for advert in real_corpus.adverts():
        keys = wanted.pop(str(advert["_id"]), None)
        if keys:
            orphaned |= keys - {real_corpus.line_key(str(advert["_id"]), line)
                                for line in real_corpus.advert_lines(advert)}
    assert not orphaned, f"{len(orphaned)} labelled lines no longer come out of their adverts"
    # what is left are adverts of the first real set that were reserved after it was labelled (never read again)
    assert not set(wanted) & drawn_from_unreserved

"""`cijobs profile` on saved pages: a JobPosting page is profiled from its JSON-LD, and a page that is not one
advert is refused with one line."""
from __future__ import annotations

import json

from cijobs.sample_site import SampleBoard, render
from tests.conftest import run_cijobs

POSTING = {"@context": "https://schema.org", "@type": "JobPosting", "title": "EPR Analyst",
           "description": "<p>Main duties</p><ul><li>Configure EPR order sets and test releases</li></ul>"
                          "<p>Essential</p><ul><li>Experience of SQL Server reporting</li></ul>"
                          "<p>Desirable</p><ul><li>ITIL Foundation</li></ul>",
           "datePosted": "2026-11-01", "hiringOrganization": {"@type": "Organization", "name": "Kestrel Bay NHS Trust"},
           "jobLocation": {"@type": "Place", "address": {"addressLocality": "Kestrel Bay"}}}


def page(*postings: dict) -> str:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(p)}</script>' for p in postings)
    return (f"<!DOCTYPE html><html><head><title>EPR Analyst | Kestrel Bay jobs</title>{scripts}</head>"
            "<body><h1>EPR Analyst</h1><nav><a href='/'>Home</a></nav><p>Apply now</p></body></html>")


def test_a_saved_jobposting_page_is_profiled_from_its_json_ld(tmp_path):
    saved = tmp_path / "advert.html"
    saved.write_text(page(POSTING), encoding="utf-8")
    profile = json.loads(run_cijobs("profile", str(saved), "--json").stdout)
    rows = [(r["section"], r["level"], r["text"]) for r in profile["requirements"]]
    assert ("person_specification", "essential", "Experience of SQL Server reporting") in rows
    assert ("person_specification", "desirable", "ITIL Foundation") in rows
    assert ("duties", None, "Configure EPR order sets and test releases") in rows
    assert not any("EPR Analyst" == text or "Apply now" in text for _, _, text in rows)


def test_a_search_results_page_is_refused_in_one_line(tmp_path):
    saved = tmp_path / "results.html"
    saved.write_text(render.search_html(SampleBoard.default().search(""), 1, ""), encoding="utf-8")
    result = run_cijobs("profile", str(saved), check=False)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "search results page listing 10 adverts" in result.stderr


def test_a_page_of_several_postings_is_refused(tmp_path):
    saved = tmp_path / "two.html"
    saved.write_text(page(POSTING, {**POSTING, "title": "Senior EPR Analyst"}), encoding="utf-8")
    result = run_cijobs("profile", str(saved), check=False)
    assert result.returncode != 0 and "holds 2 job adverts" in result.stderr

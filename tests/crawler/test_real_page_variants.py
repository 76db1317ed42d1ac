"""Markup variants of real NHS Jobs advert pages (tests/fixtures/nhsjobs, fictional adverts in the live
site's shapes): references of any shape, suffixed ids, an unlabelled salary, an empty responsibilities
block, and prose blocks that end where their own section ends."""
from __future__ import annotations

import json

import pytest

from crawler.parsers.nhsjobs import advert_reference, canonical_advert_url, parse_advert
from crawler.privacy import scrub_page
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "nhsjobs"
URL = "https://www.jobs.nhs.uk/candidate/jobadvert/M0412-CS-NOV26"


@pytest.fixture(scope="module")
def variants() -> dict:
    return parse_advert(scrub_page((FIXTURES / "advert_variants.html").read_text(encoding="utf-8")), URL)


@pytest.mark.parametrize("reference", ["C9273-26-0229", "M0358-AC-NOV25", "C9610-2025-CYB-14", "213-CS-0411-A",
                                       "E0412-26-12345"])
def test_any_reference_shape_the_site_links_is_read_from_the_url(reference):
    url = canonical_advert_url(f"/candidate/jobadvert/{reference}?keyword=digital&language=en", "https://beta.jobs.nhs.uk")
    assert advert_reference(url) == reference


@pytest.mark.parametrize("url", ["https://www.jobs.nhs.uk/candidate/jobadvert/", "https://www.jobs.nhs.uk/candidate/search",
                                 "https://www.jobs.nhs.uk/candidate/jobadvert/<script>"])
def test_a_link_that_names_no_advert_has_no_reference(url):
    assert advert_reference(url) is None


def test_suffixed_ids_and_an_unlabelled_salary_are_read(variants):
    assert variants["employer"] == "Northshire Community Health NHS Trust"
    assert (variants["town"], variants["postcode"]) == ("Northshire", "NS1 4AB")
    assert (variants["salary_min"], variants["salary_max"], variants["salary_period"]) == (37338.0, 44962.0, "year")
    assert variants["band"] == "Band 6" and variants["working_pattern"] == "Full-time, Flexible working"


def test_each_prose_block_ends_where_its_own_section_ends(variants):
    about = variants["about_organisation"]
    assert about.startswith("Northshire serves 400,000 people")
    for later in ("Agenda for change", "Experience of configuring", "attached job description", "02 November"):
        assert later not in about
    assert variants["duties"].splitlines() == [
        "Configure and test EPR forms and workflows with clinical teams.",
        "Maintain system documentation and release notes.", "Triage incidents logged with the service desk."]
    assert variants["responsibilities"] is None  # the empty #job_description_large is empty, not the next section


def test_the_person_specification_is_read_once(variants):
    assert [(c["level"], c["text"]) for c in variants["person_specification"]] == [
        ("essential", "Experience of configuring a clinical system"), ("desirable", "Experience of SQL reporting")]


def test_scrubbing_removes_every_contact_and_keeps_the_page_and_its_json_valid():
    scrubbed = scrub_page((FIXTURES / "advert_variants.html").read_text(encoding="utf-8"))
    for contact in ("sam.rivers", "fictional-trust.nhs.uk", "rota.team", "960", "Sam Rivers"):
        assert contact not in scrubbed
    from advert_text.html import html_document

    [script] = html_document(scrubbed).xpath("//script[@type='application/ld+json']")
    assert json.loads(script.text)["description"].startswith("Queries to")

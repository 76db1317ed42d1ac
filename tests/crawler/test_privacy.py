"""No contact detail survives a page's way into the warehouse or the archive, and scrubbing never breaks a
page: a generated set of fictional contacts (tests/crawler/privacy_variants.py) planted in NHS Jobs and schema.org
JobPosting pages, in prose, lists, attributes and JSON-LD strings after escapes."""
from __future__ import annotations

import json
import random
from collections import Counter
from html import escape

import pytest

from advert_text.html import html_document
from crawler.parsers import jobposting, nhsjobs
from crawler.privacy import redact_text, scrub_page
from tests.crawler.privacy_variants import Variant, generate, survivors

VARIANTS = generate()
NHSJOBS_URL = "https://www.jobs.nhs.uk/candidate/jobadvert/C9273-26-0229"
BOARD_URL = "https://jobs.example.org/vacancy/42"


def _plant(variant: Variant, text: str) -> str:
    """Markup variants go in as markup; plain text is escaped."""
    return variant.text if "</" in variant.text else escape(variant.text, quote=False)


def nhsjobs_page(variant: Variant, rng: random.Random) -> str:
    where = rng.choice(["overview", "duties", "bullet", "about", "criterion"])
    planted = _plant(variant, variant.text)
    overview = planted if where == "overview" else "Join our digital team."
    duties = f"<p>Run the EPR upgrade.</p><p>{planted}</p>" if where == "duties" else "<p>Run the EPR upgrade.</p>"
    bullets = f"<ul><li>Test releases</li><li>{planted}</li></ul>" if where == "bullet" else ""
    about = f"<p>We serve 300,000 people.</p><p>{planted}</p>" if where == "about" else "<p>We serve people.</p>"
    criterion = planted if where == "criterion" else "Experience of SQL"
    breadcrumb = json.dumps({"@type": "WebPage", "description": "Queries:\n" + variant.text}).replace("</", "<\\/")
    return f"""<!DOCTYPE html><html><head><title>Analyst</title>
<script type="application/ld+json">{breadcrumb}</script>
</head><body><h1 id="heading">Clinical Systems Analyst</h1><h2 id="employer_name">Northshire NHS Trust</h2>
<h2 id="job_overview_heading">Job summary</h2><p id="job_overview"><p>{overview}</p></p>
<h2 id="job_description_heading">Main duties</h2><p id="job_description">{duties}{bullets}</p>
<h2 id="about_organisation_heading">About us</h2><p id="about_organisation">{about}</p>
<p id="range_salary" title="{escape(variant.text)}">£37,338 to £44,962 a year</p>
<h3 id="skill_category_1">Experience</h3><ul><li id="essential_skill_1_criteria_1">{criterion}</li></ul>
</body></html>"""


def jobposting_page(variant: Variant, rng: random.Random) -> str:
    description = rng.choice([f"<p>Lead EPR testing.</p><p>{variant.text}</p>", f"Lead EPR testing.\n{variant.text}",
                              f"<ul><li>{variant.text}</li></ul>"])
    posting = {"@context": "https://schema.org", "@type": "JobPosting", "title": "EPR Analyst",
               "description": description, "datePosted": "2026-11-02",
               "hiringOrganization": {"@type": "Organization", "name": "Northshire NHS Trust"},
               "jobLocation": {"@type": "Place", "address": {"addressLocality": "Northshire"}},
               "baseSalary": "£37,338 to £44,962 a year"}
    # Servers escape non-ASCII as \\uXXXX, and put the posting where a JSON escape precedes a contact.
    return ("<!DOCTYPE html><html><head><script type=\"application/ld+json\">"
            + json.dumps(posting, ensure_ascii=rng.random() < 0.5).replace("</", "<\\/")
            + "</script></head><body><p>EPR Analyst</p></body></html>")


@pytest.mark.parametrize("kind", sorted({v.kind for v in VARIANTS}))
def test_no_planted_contact_survives_in_the_archive_or_the_parsed_advert(kind):
    rng = random.Random(kind)
    leaks = []
    for variant in (v for v in VARIANTS if v.kind == kind):
        for page, parse, url in ((nhsjobs_page(variant, rng), nhsjobs.parse_advert, NHSJOBS_URL),
                                 (jobposting_page(variant, rng), jobposting.parse_advert, BOARD_URL)):
            archived = scrub_page(page)
            advert = parse(archived, url)  # a page that scrubbing broke raises ParseError here
            stored = json.dumps(advert, default=str, ensure_ascii=False)
            found = survivors(variant, archived) + survivors(variant, stored)
            if found:
                leaks.append((variant.text, found))
    assert leaks == []


def test_every_json_ld_block_stays_valid_json_after_scrubbing():
    rng = random.Random(7)
    for variant in VARIANTS:
        for page in (nhsjobs_page(variant, rng), jobposting_page(variant, rng)):
            for script in html_document(scrub_page(page)).xpath("//script[@type='application/ld+json']"):
                json.loads(script.text)


def test_the_generated_set_covers_every_class_the_issue_names():
    counts = Counter(v.kind for v in VARIANTS)
    assert sum(counts.values()) >= 300 and min(counts.values()) >= 40
    assert set(counts) == {"email", "email obfuscated", "email split by tags", "phone UK", "phone international",
                           "phone odd spacing", "name after a contact cue"}


@pytest.mark.parametrize("text", [
    "Salary £37,338 to £44,962 a year, Band 6", "Reference C9273-26-0229, closing 02.11.2026",
    "Contact Centre Manager", "based at Leeds. Co-located with the ICB", "contact the HR Team",
    "Hours 37.5 per week, 0.6 WTE", "We are rated Good by the CQC in 2019-2020", "Employer name: Northshire NHS Trust",
])
def test_ordinary_advert_text_is_left_alone(text):
    assert redact_text(text) == text


def test_a_page_with_markup_lxml_cannot_write_back_is_scrubbed_and_parsed_not_lost():
    """A template left in the page (``<li {{attrs}}>``) and control characters, raw or as references, as a word
    processor pastes them: lxml reads both but refuses to write them back, which once lost the page."""
    page = nhsjobs_page(Variant("phone", "Ring 01632 960456", ("01632 960456",)), random.Random(1))
    page = page.replace('<li id="essential_skill_1_criteria_1">',
                        '<li {{attrs}} data-note="ring 01632 960457" id="essential_skill_1_criteria_1">')
    page = page.replace("Run the EPR upgrade.", "Run the\x0bEPR&#x0b;upgrade&#2.")
    scrubbed = scrub_page(page)
    assert "01632 960456" not in scrubbed and "01632 960457" not in scrubbed
    advert = nhsjobs.parse_advert(scrubbed, NHSJOBS_URL)
    assert advert["duties"].startswith("Run the EPR upgrade .")
    assert advert["person_specification"][0]["text"] == "Experience of SQL"


def test_the_crawl_parses_the_scrubbed_tree_as_a_re_parse_of_the_archived_page_would():
    from crawler.privacy import scrub_page_and_tree

    rng = random.Random(7)
    for variant in VARIANTS[::5]:
        archived, tree = scrub_page_and_tree(nhsjobs_page(variant, rng))
        assert nhsjobs.parse_advert(archived, NHSJOBS_URL, tree) == nhsjobs.parse_advert(archived, NHSJOBS_URL)

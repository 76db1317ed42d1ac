"""Pages of the sample board in the NHS Jobs markup (see docs/sources/nhs-jobs.md).

Deliberately reproduces the live site's two quirks: the details block and the person
specification appear twice (``show-mobile`` / ``hide-mobile``) with the same ids, and prose
blocks are ``<p id=...>`` wrappers around further ``<p>`` elements.
"""
from __future__ import annotations

import math
import zlib
from html import escape
from urllib.parse import urlencode

LIVE_ADVERT_URL = "https://beta.jobs.nhs.uk/candidate/jobadvert/{reference}"
SALARY_IDS = {"range": "range_salary", "fixed": "fixed_salary", "negotiable": "negotiable_salary"}
HTML_PAGE_SIZE = 10


def _long_date(value) -> str:
    return f"{value.day:02d} {value:%B %Y}"


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)} - NHS Jobs</title></head>\n<body>\n"
        "<header class=\"nhsuk-header\"><a href=\"/\">NHS Jobs</a></header>\n"
        f"<main id=\"maincontent\" class=\"nhsuk-main-wrapper\">\n{body}\n</main>\n"
        "<footer><p>Sample board served by cijobs for demos and tests. Fictional adverts.</p></footer>\n"
        "</body></html>\n"
    )


def _prose_block(element_id: str, heading_id: str, heading: str, paragraphs: list[str],
                 bullets: list[str] = ()) -> str:
    """A prose wrapper as the live site writes it: nested <p>s the browser's parser lifts out."""
    inner = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    if bullets:
        inner += "<ul>" + "".join(f"<li>{escape(b)}</li>" for b in bullets) + "</ul>"
    return (f"<h2 id=\"{heading_id}\" class=\"nhsuk-heading-m\">{escape(heading)}</h2>\n"
            f"<p id=\"{element_id}\">{inner}</p>\n")


def _details(advert: dict) -> str:
    salary_id = SALARY_IDS[advert.get("salary_kind") or "range"]
    rows = [
        ("date_posted_heading", "Date posted", f"<p id=\"date_posted\">{_long_date(advert['date_posted'])}</p>"),
        ("payscheme_heading", "Pay scheme", f"<p id=\"payscheme-type\">{escape(advert['pay_scheme'])}</p>"),
    ]
    if advert.get("band"):
        rows.append(("band_heading", "Band", f"<p id=\"payscheme-band\">{escape(advert['band'])}</p>"))
    rows += [
        ("salary_heading", "Salary", f"<p id=\"{salary_id}\">{escape(advert['salary'])}</p>"),
        ("contract_heading", "Contract", f"<p id=\"contract_type\">{escape(advert['contract_type'])}</p>"),
    ]
    if advert.get("contract_duration"):
        rows.append(("duration_heading", "Duration",
                     f"<p id=\"contract_duration\">{escape(advert['contract_duration'])}</p>"))
    rows += [
        ("working_pattern_heading", "Working pattern", f"<p>{escape(advert['working_pattern'])}</p>"),
        ("reference_heading", "Reference number",
         f"<p id=\"trac-job-reference\">{escape(advert.get('trac_reference') or '')}</p>"),
        ("location_heading", "Job locations",
         f"<p>{escape(advert['address_line_1'])}</p><p>{escape(advert['town'])}</p>"
         f"<p>{escape(advert['postcode'])}</p>"),
    ]
    items = "".join(f"<h3 id=\"{hid}\" class=\"nhsuk-heading-s\">{label}</h3>{value}" for hid, label, value in rows)
    return f"<h2 class=\"nhsuk-heading-l\">Details</h2>\n<dl class=\"nhsuk-summary-list\">{items}</dl>"


def _person_specification(advert: dict) -> str:
    parts = ["<h2 class=\"nhsuk-heading-l\">Person Specification</h2>"]
    for n, category in enumerate(advert["person_spec"], start=1):
        parts.append(f"<h3 id=\"skill_category_{n}\" class=\"nhsuk-heading-m\">{escape(category['category'])}</h3>")
        for level, label in (("essential", "Essential"), ("desirable", "Desirable")):
            criteria = category.get(level) or []
            if not criteria:
                continue
            items = "".join(
                f"<li id=\"{level}_skill_{n}_criteria_{m}\">{escape(text)}</li>"
                for m, text in enumerate(criteria, start=1)
            )
            parts.append(f"<h4>{label}</h4><ul class=\"nhsuk-list nhsuk-list--bullet\">{items}</ul>")
    return "\n".join(parts)


def _address(advert: dict) -> str:
    lines = [("employer_address_line_1", advert["address_line_1"]), ("employer_town", advert["town"]),
             ("employer_county", advert.get("county") or ""), ("employer_postcode", advert["postcode"])]
    return "".join(f"<p id=\"{i}\">{escape(v)}</p>" for i, v in lines)


def advert_page(advert: dict) -> str:
    contact = advert["contact"]
    details, spec = _details(advert), _person_specification(advert)
    body = (
        f"<h1 id=\"heading\" class=\"nhsuk-heading-xl\">{escape(advert['title'])}</h1>\n"
        f"<h2 id=\"employer_name\" class=\"nhsuk-heading-m\">{escape(advert['employer'])}</h2>\n"
        f"<p id=\"closing_date\">The closing date is {_long_date(advert['closing_date'])}</p>\n"
        f"<div class=\"show-mobile\">{details}</div>\n<div class=\"hide-mobile\">{details}</div>\n"
        + _prose_block("job_overview", "job_overview_heading", "Job summary", advert["job_summary"])
        + _prose_block("job_description", "job_description_heading", "Main duties of the job",
                       advert["main_duties"])
        + _prose_block("about_organisation", "about_organisation_heading", "About us",
                       advert["about_organisation"])
        + "<h2 class=\"nhsuk-heading-l\">Job description</h2>\n"
        + _prose_block("job_description_large", "job_description_large_heading", "Job responsibilities",
                       [] if advert.get("responsibilities") else
                       ["Please see the attached job description and person specification for full details."],
                       advert.get("responsibilities") or [])
        + f"<div class=\"show-mobile\">{spec}</div>\n<div class=\"hide-mobile\">{spec}</div>\n"
        + "<h2 class=\"nhsuk-heading-l\">Employer details</h2>\n"
        + f"<h3 id=\"employer_details_name\">{escape(advert['employer'])}</h3>\n"
        + f"<h3 id=\"employer_location_heading\">Address</h3>\n<div>{_address(advert)}</div>\n"
        + "<h3>Employer's website</h3><p><a href=\"https://www.example.nhs.uk/\">https://www.example.nhs.uk/</a></p>\n"
        + "<div id=\"contact_details\" class=\"nhsuk-card\"><h2>For questions about the job, contact:</h2>"
        + f"<p id=\"contact_details_job_title\">{escape(contact['job_title'])}</p>"
        + f"<p id=\"contact_details_name\">{escape(contact['name'])}</p>"
        + f"<p id=\"contact_details_email\"><a href=\"mailto:{escape(contact['email'])}\">"
        + f"{escape(contact['email'])}</a></p>"
        + f"<p id=\"contact_details_number\">{escape(contact['phone'])}</p></div>\n"
    )
    return _page(advert["title"], body)


def search_xml(results: list[dict], page: int, limit: int) -> str:
    """The XML search API; totals come after the vacancies, as on the live API."""
    start = (page - 1) * limit
    vacancies = []
    for a in results[start:start + limit]:
        vacancies.append(
            "<vacancyDetails>"
            f"<id>{zlib.crc32(a['reference'].encode()) % 10**8}</id><reference>{escape(a['reference'])}</reference>"
            f"<title>{escape(a['title'])}</title>"
            f"<description>{escape(a['job_summary'][0][:150])}</description>"
            f"<employer>{escape(a['employer'])}</employer><type>{escape(a['contract_type'])}</type>"
            f"<salary>{escape(a['salary'])}</salary><closeDate>{a['closing_date'].isoformat()}</closeDate>"
            f"<postDate>{a['date_posted'].isoformat()}T09:30:00.123456789</postDate>"
            f"<url>{LIVE_ADVERT_URL.format(reference=a['reference'])}</url>"
            f"<locations><location>{escape(a['town'])}, {escape(a['postcode'])}</location></locations>"
            "</vacancyDetails>"
        )
    total_pages = max(1, math.ceil(len(results) / limit))
    return (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nhsJobs>" + "".join(vacancies)
        + f"<totalPages>{total_pages}</totalPages><totalResults>{len(results)}</totalResults></nhsJobs>"
    )


def search_html(results: list[dict], page: int, keyword: str) -> str:
    start = (page - 1) * HTML_PAGE_SIZE
    cards = []
    for a in results[start:start + HTML_PAGE_SIZE]:
        cards.append(
            "<li class=\"nhsuk-list-panel search-result\" data-test=\"search-result\">"
            f"<h2><a data-test=\"search-result-job-title\" class=\"nhsuk-link\" "
            f"href=\"/candidate/jobadvert/{escape(a['reference'])}?keyword={escape(keyword)}&amp;language=en\">"
            f"{escape(a['title'])}</a></h2>"
            f"<div data-test=\"search-result-location\"><h3>{escape(a['employer'])}</h3>"
            f"<div class=\"location-font-size\">{escape(a['town'])} {escape(a['postcode'])}</div></div>"
            "<ul>"
            f"<li data-test=\"search-result-salary\">Salary: <strong>{escape(a['salary'])}</strong></li>"
            f"<li data-test=\"search-result-publicationDate\">Date posted: "
            f"<strong>{_long_date(a['date_posted'])}</strong></li>"
            f"<li data-test=\"search-result-closingDate\">Closing date: "
            f"<strong>{_long_date(a['closing_date'])}</strong></li>"
            f"<li data-test=\"search-result-jobType\">Contract: <strong>{escape(a['contract_type'])}</strong></li>"
            "</ul></li>"
        )
    pagination = ""
    if start + HTML_PAGE_SIZE < len(results):
        query = urlencode({"keyword": keyword, "sort": "publicationDateDesc", "page": page + 1})
        pagination = (f"<nav class=\"nhsuk-pagination\"><a data-test=\"search-next-page\" "
                      f"href=\"/candidate/search/results?{escape(query)}\">Next</a></nav>")
    body = (f"<h1>{len(results):,} jobs found</h1>\n<ul class=\"search-results\">{''.join(cards)}</ul>\n"
            f"{pagination}")
    return _page("Search results", body)

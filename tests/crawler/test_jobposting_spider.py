"""The generic schema.org JobPosting spider against a fictional board on loopback (through the real
CLI), and its parser on single pages."""
from __future__ import annotations

import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from crawler.parsers.errors import ParseError
from crawler.parsers.jobposting import canonical_url, employment, parse_page, salary, url_reference
from tests.conftest import ROOT, query, run_cijobs

FIXTURES = ROOT / "tests" / "fixtures" / "jobposting"
BOARD_ORIGIN = "https://board.example.org"
OFFSITE_ORIGIN = "https://elsewhere.example.net"
CONTENT_TYPES = {".html": "text/html", ".xml": "application/xml"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\+44\s?\d")
LOCAL = "127.0.0.1:"  # references carry the board's host name
# plus the EPR analyst, known by URL
VALID = tuple(LOCAL + identifier for identifier in ("LVHT-2026-0142", "BDHS-0077", "FDH-3021", "KBICP-T-5521"))
BROKEN = "127.0.0.1:LVHT-2026-0199"


class FixtureBoard:
    """The fixture pages on 127.0.0.1 (random port) with their origin rewritten to it.

    ``rewrites`` maps other origins in the pages to other servers; a path in ``hidden`` answers 404;
    ``requested`` records every path asked for.
    """

    def __init__(self, rewrites: dict[str, str] | None = None):
        self.rewrites = rewrites or {}
        self.hidden: set[str] = set()
        self.requested: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="jobposting-board", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def page(self, path: str) -> tuple[str, str] | None:
        file = (FIXTURES / ("index.html" if path == "/" else path.lstrip("/"))).resolve()
        if path in self.hidden or not file.is_relative_to(FIXTURES) or not file.is_file():
            return None
        text = file.read_text(encoding="utf-8").replace(BOARD_ORIGIN, self.url)
        for origin, url in self.rewrites.items():
            text = text.replace(origin, url)
        return text, CONTENT_TYPES.get(file.suffix, "text/plain")

    def _handler(self):
        board = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the name http.server calls)
                path = urlsplit(self.path).path
                board.requested.append(path)
                found = board.page(path)
                status = HTTPStatus.OK if found else HTTPStatus.NOT_FOUND
                text, content_type = found or ("<html><body>Not found</body></html>", "text/html")
                body = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass

        return Handler

    def __enter__(self) -> FixtureBoard:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def crawl(board: FixtureBoard, db: Path, *extra: str):
    return run_cijobs("crawl", "jobposting", "--base-url", board.url, "--delay", "0", "--db", str(db), *extra)


def expected_references(board: FixtureBoard) -> set[str]:
    return {*VALID, url_reference(canonical_url(board.url + "/jobs/epr-analyst.html"))}


@pytest.fixture(scope="module")
def offsite():
    with FixtureBoard() as site:
        yield site


@pytest.fixture(scope="module")
def board(offsite):
    with FixtureBoard({OFFSITE_ORIGIN: offsite.url}) as site:
        yield site


@pytest.fixture(scope="module")
def crawled(board, tmp_path_factory):
    db = tmp_path_factory.mktemp("jobposting") / "cijobs.duckdb"
    result = crawl(board, db)
    return SimpleNamespace(db=db, stdout=result.stdout, requested=list(board.requested))


# --- end to end through `cijobs crawl jobposting` -----------------------------------------------------


def test_sitemap_crawl_stores_every_valid_posting_once(crawled, board, offsite):
    stored = [r for (r,) in query(crawled.db, "SELECT reference FROM adverts WHERE source = 'jobposting'")]
    assert sorted(stored) == sorted(expected_references(board))
    assert "succeeded" in crawled.stdout and "parse errors 1" in crawled.stdout
    assert {"/sitemap.xml", "/sitemap-jobs.xml"} <= set(crawled.requested)
    assert "/page-2.html" not in crawled.requested  # pages listed in a sitemap are not followed
    assert offsite.requested == []


def test_advert_fields_come_from_the_structured_data(crawled, board):
    row = query(crawled.db, """
        SELECT title, employer, town, postcode, band, salary_min, salary_max, salary_period, contract_type,
               working_pattern, date_posted, closing_date, url, summary, is_informatics
        FROM adverts WHERE reference = '127.0.0.1:LVHT-2026-0142'""")[0]
    assert row[:10] == ("Clinical Safety Officer - Band 7", "Larkspur Valley Health Trust", "Leeds", "LS2 9ZZ",
                        "Band 7", 46148.0, 52809.0, "year", None, "Full time")
    assert [str(d) for d in row[10:12]] == ["2026-11-02", "2026-12-14"]
    assert row[12] == board.url + "/jobs/clinical-safety-officer.html"
    assert row[13].startswith("Larkspur Valley Health Trust is replacing") and row[14] is True
    others = dict((r[0], r[1:]) for r in query(crawled.db, """
        SELECT reference, employer, town, salary_min, salary_max, salary_period, contract_type, working_pattern
        FROM adverts WHERE reference <> '127.0.0.1:LVHT-2026-0142'"""))
    epr = url_reference(canonical_url(board.url + "/jobs/epr-analyst.html"))
    assert others[epr] == ("Kestrel Bay Integrated Care Partnership", "Bristol", 24.5, 24.5, "hour", "Temporary",
                           "Part time")
    assert others["127.0.0.1:BDHS-0077"] == ("Brackenford Digital Health Services", "Norwich", 3600.0, 4100.0, "month",
                                   "Contract", "Full time")
    assert others["127.0.0.1:FDH-3021"] == ("Fenbridge Digital Health", None, 55000.0, 62000.0, "year", "Temporary",
                                  "Full time")
    assert others["127.0.0.1:KBICP-T-5521"] == (
        "Kestrel Bay Integrated Care Partnership", "Exeter", 250.0, 300.0, "day", "Contract", None)


def test_requirement_rows_from_person_specification_and_responsibilities(crawled):
    rows = query(crawled.db, """
        SELECT section, category, level, text FROM requirements JOIN adverts USING (advert_id)
        WHERE reference = '127.0.0.1:LVHT-2026-0142' ORDER BY position""")
    spec = [r[1:] for r in rows if r[0] == "person_specification"]
    assert spec == [
        ("Qualifications", "essential", "Registration with a UK health or care professional body"),
        ("Qualifications", "essential", "Clinical safety officer training in DCB0129 and DCB0160"),
        ("Education", "essential", "Bachelor degree"),
        ("Experience", "essential", "At least 3 years of experience"),
        ("Skills", "essential", "Clinical risk management"),
        ("Skills", "essential", "hazard analysis"),
        ("Skills", "essential", "incident investigation"),
        ("Skills", "essential", "stakeholder engagement"),
    ]
    assert [r[3] for r in rows if r[0] == "responsibilities"] == [
        "Keep the clinical safety case up to date for every system release.",
        "Report safety incidents to the clinical safety group.",
    ]
    duties = [r[3] for r in rows if r[0] == "duties"]
    assert "Chair hazard workshops with clinicians, suppliers and the digital team." in duties
    microdata = query(crawled.db, """
        SELECT category, text FROM requirements JOIN adverts USING (advert_id)
        WHERE reference = '127.0.0.1:BDHS-0077' AND section = 'person_specification' ORDER BY position""")
    assert ("Skills", "HL7 FHIR and openEHR data models") in microdata


def test_a_posting_without_required_properties_is_a_parse_error_archived_for_reparse(crawled):
    failed = query(crawled.db, "SELECT reference, parse_error FROM raw_pages WHERE NOT parse_ok")
    assert [reference for reference, _ in failed] == [BROKEN]
    assert "datePosted" in failed[0][1] and "jobLocation" in failed[0][1]
    assert query(crawled.db, "SELECT count(*) FROM adverts WHERE reference = ?", [BROKEN]) == [(0,)]
    # only advert pages are archived: not the sitemaps, the index or the about page
    assert query(crawled.db, "SELECT count(*), count(*) FILTER (WHERE parse_ok) FROM raw_pages") == [(6, 5)]
    assert query(crawled.db, "SELECT status, parse_errors FROM crawl_runs") == [("succeeded", 1)]


def test_no_email_address_phone_number_or_contact_name_anywhere_in_the_warehouse(crawled):
    from warehouse import decompress_page

    texts = []
    for table, columns in (("adverts", "title, employer, summary, duties, responsibilities, about_organisation"),
                           ("requirements", "text"), ("raw_pages", "parse_error")):
        for row in query(crawled.db, f"SELECT {columns} FROM {table}"):
            texts.extend(str(value) for value in row if value is not None)
    texts.extend(decompress_page(body) for (body,) in query(crawled.db, "SELECT body FROM raw_pages"))
    leaks = [m.group(0) for text in texts for m in (*EMAIL.finditer(text), *PHONE.finditer(text))]
    assert leaks == []
    assert not any("recruitment.team" in text or "960123" in text or "900456" in text or "Raman" in text
                   or "Okoro" in text for text in texts)
    # The contact lines are kept (redacted) with the employer's text, never as duties or criteria.
    duties, about = query(crawled.db, "SELECT duties, about_organisation FROM adverts "
                                      "WHERE reference = '127.0.0.1:FDH-3021'")[0]
    assert "[email removed]" in about and "[phone removed]" in about
    assert "speak to [name removed], Clinical Director" in about
    assert "removed]" not in duties


def test_a_second_crawl_adds_no_duplicates(crawled, board, tmp_path):
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(crawled.db.read_bytes())
    counts_sql = "SELECT (SELECT count(*) FROM adverts), (SELECT count(*) FROM requirements), " \
                 "(SELECT count(*) FROM raw_pages)"
    before = query(copy, counts_sql)
    result = crawl(board, copy)
    assert "new 0" in result.stdout and "unchanged 5" in result.stdout
    assert query(copy, counts_sql) == before
    assert query(copy, "SELECT count(*) FROM crawl_runs WHERE status = 'succeeded'") == [(2,)]


def test_without_a_sitemap_it_follows_same_host_links_from_listing_pages(board, offsite, tmp_path):
    board.hidden = {"/sitemap.xml"}
    board.requested.clear()
    try:
        crawl(board, tmp_path / "links.duckdb")
    finally:
        board.hidden = set()
    stored = {r for (r,) in query(tmp_path / "links.duckdb", "SELECT reference FROM adverts")}
    assert stored == expected_references(board)  # the trainer is only linked from page 2
    assert {"/", "/page-2.html", "/about.html"} <= set(board.requested)
    assert "/sitemap-jobs.xml" not in board.requested
    assert offsite.requested == []


def test_max_pages_bounds_the_listing_pages_read_for_links(board, tmp_path):
    board.hidden = {"/sitemap.xml"}
    board.requested.clear()
    try:
        crawl(board, tmp_path / "bounded.duckdb", "--max-pages", "1")
    finally:
        board.hidden = set()
    stored = {r for (r,) in query(tmp_path / "bounded.duckdb", "SELECT reference FROM adverts")}
    assert stored == expected_references(board) - {"127.0.0.1:KBICP-T-5521"}
    assert "/page-2.html" in board.requested and "/jobs/clinical-systems-trainer.html" not in board.requested


# --- the parser on single pages -----------------------------------------------------------------------

POSTING = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Informatics Pharmacist",
    "description": "<p>Look after the electronic prescribing formulary.</p><p>Lead medicines safety reviews.</p>",
    "datePosted": "2026-10-01",
    "hiringOrganization": {"@type": "Organization", "name": "Invented Health Trust"},
    "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "York"}},
}
URL = "https://board.example.org/jobs/1"


def jsonld_page(*nodes, raw: str = "") -> str:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(node)}</script>' for node in nodes)
    return f"<!DOCTYPE html><html><head>{scripts}{raw}</head><body><p>An advert.</p></body></html>"


def fixture_page(path: str) -> list[dict]:
    return parse_page((FIXTURES / path).read_text(encoding="utf-8"), f"{BOARD_ORIGIN}/{path}")


def test_graph_posting_with_organisation_given_by_id():
    [advert] = fixture_page("jobs/epr-analyst.html")
    assert advert["employer"] == "Kestrel Bay Integrated Care Partnership"
    assert advert["about_organisation"] == "An invented partnership of community and hospital services."
    assert advert["reference"] == url_reference(canonical_url(f"{BOARD_ORIGIN}/jobs/epr-analyst.html"))
    assert (advert["town"], advert["postcode"]) == ("Bristol", "BS1 6ZZ")  # the first of two locations
    assert advert["summary"].startswith("Kestrel Bay Integrated Care Partnership is looking")
    assert advert["duties"].count("\n") == 1  # two paragraphs, one per line


def test_microdata_posting():
    [advert] = fixture_page("jobs/health-data-engineer.html")
    assert (advert["reference"], advert["title"], advert["employer"]) == (
        "board.example.org:BDHS-0077", "Health Data Engineer", "Brackenford Digital Health Services")
    assert (str(advert["date_posted"]), str(advert["closing_date"])) == ("2026-11-05", "2026-12-03")
    assert advert["duties"].splitlines()[1:] == ["Design pipelines that are easy to test and to monitor.",
                                                 "Work with analysts to publish trusted datasets."]
    assert [c["category"] for c in advert["person_specification"]] == [
        "Qualifications", "Experience", "Skills", "Skills"]


def test_top_level_list_and_a_broken_block_beside_the_posting():
    [advert] = fixture_page("jobs/clinical-systems-trainer.html")
    assert advert["reference"] == "board.example.org:KBICP-T-5521"
    assert advert["responsibilities"].splitlines() == ["Plan the training timetable with ward managers.",
                                                       "Support staff on the wards during go-live."]


def test_headings_in_a_description_give_criteria_their_level_and_keep_about_us_out_of_the_duties(crawled):
    rows = query(crawled.db, """
        SELECT section, level, text FROM requirements JOIN adverts USING (advert_id)
        WHERE reference = '127.0.0.1:KBICP-T-5521' ORDER BY position""")
    assert [(level, text) for section, level, text in rows if section == "person_specification"] == [
        ("essential", "Delivering classroom and online training"),  # the posting's skills property
        ("essential", "Writing e-learning modules"),
        ("essential", "Experience of training clinical staff to use an electronic patient record"),
        ("essential", "Knowledge of clinical safety standards"),
        ("desirable", "Experience of writing e-learning")]
    texts = " ".join(row[2] for row in rows)
    assert "design and deliver classroom and online training" in texts  # the unheaded paragraphs: duties
    for not_a_requirement in ("four community hospitals", "annual leave", "leadership development", "Essential",
                              "looking for", "Why join"):
        assert not_a_requirement not in texts
    [(about,)] = query(crawled.db, "SELECT about_organisation FROM adverts WHERE reference = '127.0.0.1:KBICP-T-5521'")
    assert "four community hospitals" in about and "27 days annual leave" in about


@pytest.mark.parametrize("location, expected", [
    ({"@type": "Place", "address": "1 Park Row, Leeds, LS1 5AB"}, ("Leeds", "LS1 5AB")),
    ({"@type": "Place", "address": "Leeds ls1 5ab"}, ("Leeds", "LS1 5AB")),
    ("York", ("York", None)),
])
def test_an_address_written_as_text_still_gives_town_and_postcode(location, expected):
    [advert] = parse_page(jsonld_page({**POSTING, "jobLocation": location}), URL)
    assert (advert["town"], advert["postcode"]) == expected


def test_control_characters_in_a_description_are_dropped_not_fatal():
    posting = {**POSTING, "description": "<p>Look after the\x01 formulary.</p><p>Lead\x0b safety reviews.</p>"}
    [advert] = parse_page(jsonld_page(posting), URL)
    assert advert["duties"] == "Lead safety reviews."


def test_unreadable_microdata_is_a_parse_error_not_a_crash():
    page = ('<!DOCTYPE html><html><body><div itemscope itemtype="http://[schema.org/JobPosting">'
            '<span itemprop="title">Data Analyst</span></div></body></html>')
    with pytest.raises(ParseError, match="unreadable microdata"):
        parse_page(page, URL)


def test_an_xhtml_page_with_an_xml_declaration_is_read_through_scrubbing():
    from crawler.privacy import scrub_page

    page = '<?xml version="1.0" encoding="utf-8"?>\n' + jsonld_page(POSTING).replace(
        "<html>", '<html xmlns="http://www.w3.org/1999/xhtml">')
    [advert] = parse_page(scrub_page(page), URL)
    assert (advert["title"], advert["town"]) == ("Informatics Pharmacist", "York")
    assert parse_page(scrub_page(""), URL) == []  # an empty answer: nothing, not a crash


@pytest.mark.parametrize("type_", ["JobPosting", ["JobPosting", "Intangible"], ["Intangible", "schema:JobPosting"],
                                   "http://schema.org/JobPosting"])
def test_type_as_string_list_or_iri(type_):
    [advert] = parse_page(jsonld_page({**POSTING, "@type": type_}), URL)
    assert advert["title"] == "Informatics Pharmacist"


def test_graph_inside_a_list_and_other_types_ignored():
    organisation = {"@type": "Organization", "name": "Invented Health Trust"}
    adverts = parse_page(jsonld_page([organisation, {"@graph": [organisation, POSTING]}]), URL)
    assert [a["title"] for a in adverts] == ["Informatics Pharmacist"]


@pytest.mark.parametrize(("base_salary", "expected"), [
    ({"@type": "MonetaryAmount", "currency": "GBP",
      "value": {"@type": "QuantitativeValue", "value": 21.5, "unitText": "HOUR"}}, (21.5, 21.5, "hour")),
    ({"currency": "GBP", "value": {"minValue": 700, "maxValue": 800, "unitText": "WEEK"}}, (700.0, 800.0, "week")),
    ({"currency": "GBP", "value": {"minValue": "3,000", "maxValue": "3,400", "unitText": "month"}},
     (3000.0, 3400.0, "month")),
    ({"currency": "GBP", "value": {"minValue": 400, "unitText": "DAY"}}, (400.0, 400.0, "day")),
    ({"currency": "GBP", "value": 48000}, (48000.0, 48000.0, "year")),
    ({"currency": "GBP", "value": {"value": 18}}, (18.0, 18.0, "hour")),
    ("£30,000 to £35,000 a year", (30000.0, 35000.0, "year")),
    ("£50k - £60k", (50000.0, 60000.0, "year")),
    ({"currency": "GBP", "value": {"minValue": "50k", "maxValue": "60K", "unitText": "YEAR"}},
     (50000.0, 60000.0, "year")),
    (52000, (52000.0, 52000.0, "year")),
    ({"currency": "USD", "value": {"minValue": 90000, "maxValue": 99000, "unitText": "YEAR"}}, (None, None, None)),
    (None, (None, None, None)),
])
def test_salary_units(base_salary, expected):
    assert salary(base_salary) == expected
    [advert] = parse_page(jsonld_page({**POSTING, "baseSalary": base_salary}), URL)
    assert (advert["salary_min"], advert["salary_max"], advert["salary_period"]) == expected


@pytest.mark.parametrize(("employment_type", "expected"), [
    ("FULL_TIME", {"contract_type": None, "working_pattern": "Full time"}),
    (["PART_TIME", "TEMPORARY"], {"contract_type": "Temporary", "working_pattern": "Part time"}),
    ("FULL_TIME, CONTRACTOR", {"contract_type": "Contract", "working_pattern": "Full time"}),
    (["Full-time", "Permanent"], {"contract_type": "Permanent", "working_pattern": "Full time"}),
])
def test_employment_type(employment_type, expected):
    assert employment(employment_type) == expected


def test_missing_required_properties_are_named():
    posting = {"@context": "https://schema.org", "@type": "JobPosting", "title": "Data Analyst",
               "identifier": {"@type": "PropertyValue", "value": "X-1"}}
    with pytest.raises(ParseError) as raised:
        parse_page(jsonld_page(posting), URL)
    message = str(raised.value)
    assert "X-1" in message and raised.value.reference == "board.example.org:X-1"
    for name in ("description", "datePosted", "hiringOrganization", "jobLocation"):
        assert name in message
    assert "title" not in message.split("properties:")[1]


def test_remote_postings_need_an_applicant_location_instead_of_a_job_location():
    remote = {key: value for key, value in POSTING.items() if key != "jobLocation"}
    remote["jobLocationType"] = "TELECOMMUTE"
    with pytest.raises(ParseError, match="applicantLocationRequirements"):
        parse_page(jsonld_page(remote), URL)
    [advert] = parse_page(jsonld_page({**remote, "applicantLocationRequirements": {"@type": "Country",
                                                                                 "name": "UK"}}), URL)
    assert advert["town"] is None


def test_an_organisation_without_a_name_is_missing():
    with pytest.raises(ParseError, match="hiringOrganization.name"):
        parse_page(jsonld_page({**POSTING, "hiringOrganization": {"@type": "Organization"}}), URL)


def test_pages_without_a_posting_are_listing_pages_not_errors():
    assert fixture_page("index.html") == []
    assert parse_page(jsonld_page({"@context": "https://schema.org", "@type": "Organization", "name": "X"}), URL) == []
    assert parse_page(jsonld_page(raw='<script type="application/ld+json">{"broken": </script>'), URL) == []


def test_a_broken_json_ld_block_with_a_posting_and_a_truncated_page_are_errors():
    with pytest.raises(ParseError, match="not valid JSON"):
        parse_page(jsonld_page(raw='<script type="application/ld+json">{"@type": "JobPosting", </script>'), URL)
    with pytest.raises(ParseError, match="truncated"):
        parse_page(jsonld_page(POSTING).replace("</body></html>", ""), URL)


def test_contact_details_hidden_by_json_escapes_are_still_redacted():
    description = "<p>Ask the team.</p><p>Write to jobs@example.org or ring 01632 960555.</p>"
    page = jsonld_page({**POSTING, "description": description}).replace("@example.org", "\\u0040example.org")
    [advert] = parse_page(page, URL)
    assert advert["about_organisation"] == "Write to [email removed] or ring [phone removed]."


def test_reference_without_identifier_is_a_stable_hash_of_the_canonical_url():
    first = parse_page(jsonld_page(POSTING), URL + "?b=2&a=1#apply")[0]["reference"]
    again = parse_page(jsonld_page(POSTING), URL + "?a=1&b=2")[0]["reference"]
    assert first == again == url_reference(canonical_url(URL + "?a=1&b=2"))
    assert parse_page(jsonld_page({**POSTING, "identifier": 4711}), URL)[0]["reference"] == "board.example.org:4711"

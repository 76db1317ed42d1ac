"""The nhsjobs spider against a misbehaving loopback board: retries, withdrawals, broken pages,
pagination, XXE, incremental re-crawls, closing, re-posts and kill-and-resume."""
from __future__ import annotations

import copy
import math
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from cijobs.sample_site import Faults, SampleBoard, SampleSiteServer
from crawler.spiders.nhsjobs import DEFAULT_KEYWORDS
from tests.conftest import ROOT, query, run_cijobs

ADVERT = "/candidate/jobadvert/{}"


def crawl(site, db: Path, *extra: str, check: bool = True):
    return run_cijobs("crawl", "nhsjobs", "--base-url", site.url, "--delay", "0", "--db", str(db), *extra,
                      check=check)


def advert_fetches(site) -> list[str]:
    return [path for path in site.requested if path.startswith("/candidate/jobadvert/")]


@pytest.fixture
def expected(sample_board) -> list[str]:
    return sorted(sample_board.search_references(list(DEFAULT_KEYWORDS)))


def test_429_and_500_are_retried_and_404_is_counted_as_withdrawn(sample_board, expected, tmp_path):
    throttled, failing, gone = expected[:3]
    faults = Faults({ADVERT.format(throttled): [429], ADVERT.format(failing): [500], ADVERT.format(gone): [404]})
    with SampleSiteServer(sample_board, faults=faults) as site:
        result = crawl(site, tmp_path / "w.duckdb")
    stored = {r for (r,) in query(tmp_path / "w.duckdb", "SELECT reference FROM adverts")}
    assert stored == set(expected) - {gone}
    assert "withdrawn 1" in result.stdout
    run = query(tmp_path / "w.duckdb", "SELECT status, adverts_withdrawn, responses_by_status FROM crawl_runs")[0]
    assert run[:2] == ("succeeded", 1)
    assert '"429": 1' in run[2] and '"500": 1' in run[2] and '"404": 1' in run[2]


def test_malformed_truncated_empty_and_binary_pages_are_counted_and_archived(sample_board, expected, tmp_path):
    broken, cut, empty, pdf = expected[:4]
    faults = Faults({ADVERT.format(broken): ["malformed"], ADVERT.format(cut): ["truncate"],
                     ADVERT.format(empty): ["empty"], ADVERT.format(pdf): ["binary"]})
    with SampleSiteServer(sample_board, faults=faults) as site:
        result = crawl(site, tmp_path / "w.duckdb")
    assert "parse errors 4" in result.stdout
    archived = dict(query(tmp_path / "w.duckdb", "SELECT reference, parse_error FROM raw_pages WHERE NOT parse_ok"))
    assert set(archived) == {broken, cut, empty, pdf}
    assert "truncated" in archived[cut] and "empty" in archived[empty] and "not an HTML page" in archived[pdf]
    stored = {r for (r,) in query(tmp_path / "w.duckdb", "SELECT reference FROM adverts")}
    assert stored == set(expected) - {broken, cut, empty, pdf}


def test_pages_worked_in_a_worker_process_load_as_in_the_crawl_s_own(sample_board, expected, tmp_path):
    """Scrubbing, parsing and extraction run in a worker process beside the engine by default; the warehouse is
    the one a crawl doing them itself (CIJOBS_PAGE_WORKERS=0) builds, broken pages included."""
    broken, cut = expected[:2]
    faults = Faults({ADVERT.format(broken): ["malformed"] * 2, ADVERT.format(cut): ["truncate"] * 2})
    adverts = "SELECT reference, content_hash, title, is_informatics, informatics_score FROM adverts ORDER BY 1"
    pages = "SELECT reference, parse_ok, parse_error, content_hash FROM raw_pages ORDER BY 1"
    requirements = ("SELECT a.reference, r.position, r.section, r.text FROM requirements r "
                    "JOIN adverts a USING (advert_id)")
    built = []
    with SampleSiteServer(sample_board, faults=faults) as site:
        for workers in ("0", "1"):
            db = tmp_path / f"w{workers}.duckdb"
            assert "parse errors 2" in crawl(site, db, "--set", f"CIJOBS_PAGE_WORKERS={workers}").stdout
            built.append([query(db, adverts), query(db, pages), sorted(query(db, requirements))])
    assert built[0] == built[1] and len(built[0][0]) == len(expected) - 2


def test_an_unreadable_advert_link_is_a_counted_error_that_closes_nothing(sample_board, expected, tmp_path):
    db = tmp_path / "w.duckdb"
    with SampleSiteServer(sample_board) as site:
        crawl(site, db)
    before = query(db, "SELECT reference, status, closed_at FROM adverts ORDER BY reference")
    faults = Faults({"/api/v1/search_xml": ["unreadable-link"]})
    with SampleSiteServer(sample_board, faults=faults) as site:
        result = crawl(site, db)
    assert "unreadable advert links 1" in result.stdout
    assert query(db, "SELECT discovery_errors, links_unreadable, adverts_closed FROM crawl_runs ORDER BY run_id DESC "
                     "LIMIT 1") == [(1, 1, 0)]
    assert query(db, "SELECT reference, status, closed_at FROM adverts ORDER BY reference") == before
    assert "unreadable advert links 1" in run_cijobs("status", "--db", str(db)).stdout


def test_a_search_that_claims_endless_pages_stops_at_the_first_empty_one(sample_board, tmp_path):
    faults = Faults({"/api/v1/search_xml": ["endless"] * 50})
    with SampleSiteServer(sample_board, faults=faults, api_page_size=5) as site:
        crawl(site, tmp_path / "w.duckdb", "--keyword", "digital")
        api_pages = [p for p in site.requested if p == "/api/v1/search_xml"]
    assert len(api_pages) == math.ceil(len(sample_board.search("digital")) / 5) + 1  # one empty page, then stop


def test_a_search_past_the_page_limit_is_a_discovery_error(sample_board, tmp_path):
    faults = Faults({"/api/v1/search_xml": ["endless"] * 50})
    with SampleSiteServer(sample_board, faults=faults, api_page_size=1) as site:
        result = crawl(site, tmp_path / "w.duckdb", "--keyword", "digital", "--page-limit", "3")
        api_pages = [p for p in site.requested if p == "/api/v1/search_xml"]
    assert len(api_pages) == 3 and "discovery errors 1" in result.stdout


def test_a_crawl_logs_each_line_once_and_no_page_dumps(sample_board, tmp_path):
    with SampleSiteServer(sample_board) as site:
        result = crawl(site, tmp_path / "w.duckdb")
    lines = [line for line in result.stderr.splitlines() if " INFO " in line or " WARNING " in line]
    assert " DEBUG " not in result.stderr and "<html" not in result.stderr.lower()
    assert len(lines) == len(set(lines)) and any("Spider closed (finished)" in line for line in lines)


def test_mostly_broken_pages_fail_the_crawl_and_leave_published_data_alone(sample_board, expected, tmp_path):
    db = tmp_path / "w.duckdb"
    with SampleSiteServer(sample_board) as site:
        crawl(site, db)
    before = query(db, "SELECT reference, title, last_seen FROM adverts ORDER BY reference")
    faults = Faults({ADVERT.format(ref): ["malformed"] for ref in expected[: len(expected) // 2]})
    with SampleSiteServer(sample_board, faults=faults) as site:
        result = crawl(site, db, "--refetch", check=False)
    assert result.returncode != 0
    assert "failed to parse" in result.stderr and "markup has probably changed" in result.stderr
    assert query(db, "SELECT reference, title, last_seen FROM adverts ORDER BY reference") == before
    assert query(db, "SELECT status FROM crawl_runs ORDER BY run_id") == [("succeeded",), ("failed",)]
    assert query(db, "SELECT count(*) FROM raw_pages WHERE NOT parse_ok")[0][0] == len(expected) // 2


def test_every_api_page_and_html_page_is_followed(sample_board, expected, tmp_path):
    keyword = "digital"
    found = sample_board.search(keyword)
    with SampleSiteServer(sample_board, api_page_size=5) as site:
        crawl(site, tmp_path / "api.duckdb", "--keyword", keyword)
        api_pages = [p for p in site.requested if p == "/api/v1/search_xml"]
    assert len(api_pages) == math.ceil(len(found) / 5) > 1
    with SampleSiteServer(sample_board) as site:
        crawl(site, tmp_path / "html.duckdb", "--keyword", keyword, "--discovery", "html")
        html_pages = [p for p in site.requested if p == "/candidate/search/results"]
    assert len(html_pages) == math.ceil(len(found) / 10) > 1
    for db in ("api.duckdb", "html.duckdb"):
        stored = {r for (r,) in query(tmp_path / db, "SELECT reference FROM adverts")}
        assert stored == {a["reference"] for a in found}


def test_an_xxe_payload_in_the_api_is_not_resolved(sample_board, tmp_path):
    assert Path("/etc/passwd").read_text().startswith("root:")  # what the payload would leak if it were resolved
    with SampleSiteServer(sample_board, faults=Faults({"/api/v1/search_xml": ["xxe"]})) as site:
        crawl(site, tmp_path / "w.duckdb", "--keyword", "clinical safety")
    titles = [t for (t,) in query(tmp_path / "w.duckdb", "SELECT title FROM adverts")]
    assert titles and not any("root:" in t for t in titles)


def test_an_unchanged_second_crawl_fetches_no_advert_page(sample_board, expected, tmp_path):
    db = tmp_path / "w.duckdb"
    with SampleSiteServer(sample_board) as site:
        crawl(site, db)
        first_fetches = len(advert_fetches(site))
        first_seen = dict(query(db, "SELECT reference, last_seen FROM adverts"))
        site.requested.clear()
        result = crawl(site, db)
        assert advert_fetches(site) == []
    assert first_fetches == len(expected)
    assert f"not re-fetched {len(expected)}" in result.stdout
    later = dict(query(db, "SELECT reference, last_seen FROM adverts"))
    assert all(later[ref] > first_seen[ref] for ref in expected)
    assert query(db, "SELECT adverts_skipped FROM crawl_runs ORDER BY run_id DESC LIMIT 1")[0][0] == len(expected)


def test_a_changed_listing_is_fetched_again(sample_board, expected, tmp_path):
    db = tmp_path / "w.duckdb"
    board = SampleBoard(copy.deepcopy(sample_board.adverts))
    with SampleSiteServer(board) as site:
        crawl(site, db)
        target = board.by_reference(expected[0])
        target["title"] = target["title"] + " (re-banded)"
        site.requested.clear()
        result = crawl(site, db)
        assert advert_fetches(site) == [ADVERT.format(expected[0])]
    assert "updated 1" in result.stdout
    assert query(db, "SELECT title FROM adverts WHERE reference = ?", [expected[0]])[0][0].endswith("(re-banded)")


def test_adverts_gone_from_a_complete_discovery_are_closed_today(sample_board, tmp_path):
    db = tmp_path / "w.duckdb"
    board = SampleBoard(copy.deepcopy(sample_board.adverts))
    today = date.today()
    for advert in board.adverts:  # every advert still open, so only disappearance can close one
        advert["closing_date"] = today + timedelta(days=30)
    with SampleSiteServer(board) as site:
        crawl(site, db)
    removed = sorted(board.search_references(list(DEFAULT_KEYWORDS)))[0]
    board.adverts = [a for a in board.adverts if a["reference"] != removed]
    with SampleSiteServer(board) as site:
        crawl(site, db, "--keyword", "digital")  # a partial discovery closes nothing
        assert query(db, "SELECT count(*) FROM adverts WHERE status = 'closed'")[0][0] == 0
        crawl(site, db)
    assert query(db, "SELECT reference, closed_at FROM adverts WHERE status = 'closed'") == [(removed, today)]


def test_a_listing_that_shrinks_sharply_closes_nothing_until_a_second_run_agrees(sample_board, tmp_path):
    db = tmp_path / "w.duckdb"
    board = SampleBoard(copy.deepcopy(sample_board.adverts))
    for advert in board.adverts:
        advert["closing_date"] = date.today() + timedelta(days=30)
    everything = copy.deepcopy(board.adverts)
    listed = sorted(board.search_references(list(DEFAULT_KEYWORDS)))
    with SampleSiteServer(board) as site:
        crawl(site, db)
        board.adverts = [a for a in everything if a["reference"] in listed[:2]]  # a bad night: 2 of 38 shown
        bad_night = crawl(site, db)
        assert "no advert closed" in bad_night.stdout and "listed 0 adverts" in bad_night.stdout
        assert query(db, "SELECT count(*) FROM adverts WHERE status = 'open'")[0][0] == len(listed)
        agreed = crawl(site, db)  # the second run sees the same: the adverts have gone
        assert f"closed {len(listed) - 2}" in agreed.stdout
        board.adverts = everything  # and they come back
        site.requested.clear()
        back = crawl(site, db)
    assert f"reopened {len(listed) - 2}" in back.stdout
    assert query(db, "SELECT count(*) FROM adverts WHERE status = 'open'")[0][0] == len(listed)


def test_reposted_adverts_are_linked_and_reported(sample_board, expected, tmp_path):
    board = SampleBoard(copy.deepcopy(sample_board.adverts))
    original = board.by_reference(expected[0])
    repost = copy.deepcopy(original)
    repost["reference"] = "R0001-26-9999"
    repost["date_posted"] = original["date_posted"] + timedelta(days=21)
    repost["closing_date"] = original["closing_date"] + timedelta(days=21)
    board.adverts.append(repost)
    with SampleSiteServer(board) as site:
        result = crawl(site, tmp_path / "w.duckdb")
    assert "re-posts 1" in result.stdout
    assert query(tmp_path / "w.duckdb", """
        SELECT r.reference, o.reference FROM adverts r JOIN adverts o ON r.duplicate_of = o.advert_id""") == [
        ("R0001-26-9999", expected[0])]


def test_a_killed_crawl_resumes_without_losing_or_duplicating_adverts(sample_board, expected, tmp_path):
    db = tmp_path / "w.duckdb"
    with SampleSiteServer(sample_board) as site:
        command = [sys.executable, "-m", "cijobs.cli", "crawl", "nhsjobs", "--base-url", site.url,
                   "--delay", "0.15", "--db", str(db)]
        victim = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(advert_fetches(site)) < 8 and time.monotonic() < deadline and victim.poll() is None:
            time.sleep(0.05)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        fetched_before_kill = set(advert_fetches(site))
        assert 8 <= len(fetched_before_kill) < len(expected)
        site.requested.clear()
        result = crawl(site, db)
        refetched = set(advert_fetches(site)) & fetched_before_kill
    stored = [r for (r,) in query(db, "SELECT reference FROM adverts ORDER BY reference")]
    assert stored == expected
    assert len(refetched) <= 2  # at most the pages in flight when the process died
    assert query(db, "SELECT status FROM crawl_runs ORDER BY run_id") == [("interrupted",), ("succeeded",)]
    assert "new " + str(len(expected)) in result.stdout
    assert list((db.parent / "crawls").glob("*")) == []  # the finished crawl cleared its JOBDIR


def test_reparse_rebuilds_adverts_from_the_archive_without_network(sample_board, expected, tmp_path):
    db = tmp_path / "w.duckdb"
    with SampleSiteServer(sample_board) as site:
        crawl(site, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE adverts SET title = 'stale parse', content_hash = 'old parser'")
    con.close()
    result = run_cijobs("reparse", "nhsjobs", "--db", str(db))  # the board is gone: no network needed
    assert f"re-parsed {len(expected)} archived pages" in result.stdout
    assert f"updated {len(expected)}" in result.stdout
    titles = dict(query(db, "SELECT reference, title FROM adverts"))
    assert titles == {ref: sample_board.by_reference(ref)["title"] for ref in expected}


def test_comments_between_a_heading_and_its_value_are_skipped(sample_board):
    # templated pages put HTML comments anywhere; lxml hands them back as siblings
    from cijobs.sample_site import render
    from crawler.parsers.nhsjobs import parse_advert

    advert = sample_board.adverts[0]
    page = render.advert_page(advert)
    heading_end = page.index("</", page.index('id="working_pattern_heading"'))
    heading_end = page.index(">", heading_end) + 1
    page = page[:heading_end] + "<!-- value follows -->" + page[heading_end:]
    parsed = parse_advert(page, f"https://www.jobs.nhs.uk/candidate/jobadvert/{advert['reference']}")
    assert parsed["working_pattern"] == advert["working_pattern"]

"""The dashboard in headless Chromium, served by `cijobs serve` from a warehouse crawled from the sample board."""
from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

import warehouse
from dashboard import ids
from matching import accuracy
from tests import headless_chromium
from tests.conftest import ROOT, query, run_cijobs
from warehouse.demand import domain_demand
from warehouse.filters import AdvertFilter

pytestmark = pytest.mark.browser

HOSTILE_TITLE = "Data Analyst <script>window.cijobsHacked = true</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    reason = headless_chromium.missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    profile = Path(tempfile.mkdtemp(prefix="cijobs-chromium-"))
    driver = headless_chromium.start(profile, downloads)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def db(crawled_db, tmp_path_factory) -> Path:
    """The crawled warehouse plus one advert whose title carries markup, published as `cijobs` would."""
    path = tmp_path_factory.mktemp("dashboard") / "cijobs.duckdb"
    shutil.copy(crawled_db, path)
    con = warehouse.open_warehouse(path)
    warehouse.load_adverts(con, [{
        "source": "nhsjobs", "reference": "X0000-26-0001", "url": "http://127.0.0.1/candidate/jobadvert/X0000-26-0001",
        "title": HOSTILE_TITLE, "employer": "Example Trust", "date_posted": date.today(),
        "closing_date": date(2099, 1, 1), "is_informatics": True, "informatics_score": 3.0,
        "requirements": [{"section": "person_specification", "category": "Skills", "level": "essential",
                          "text": "SQL <b>and</b> Power BI"}],
    }])
    con.close()
    warehouse.publish(path)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(db):
    yield from _serve(db)


@pytest.fixture(scope="module")
def imported_url(tmp_path_factory):
    """The dashboard on a warehouse loaded by `cijobs import jobposting` from real-shaped records."""
    path = tmp_path_factory.mktemp("imported") / "cijobs.duckdb"
    run_cijobs("import", "jobposting", str(ROOT / "tests" / "fixtures" / "jobposting_import" / "records.jsonl"),
               "--db", str(path))
    yield from _serve(path)


def _serve(db: Path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cijobs.cli", "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"`cijobs serve` did not come up:\n{server.stdout.read()}")
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _wait(browser, css: str, timeout: float = 60):
    return WebDriverWait(browser, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def _shown_demand(browser) -> dict[str, int]:
    """Domain -> count as the table shows it; empty while the table is being re-rendered."""
    shown = {}
    try:
        for row in browser.find_elements(By.CSS_SELECTOR, f"#{ids.DOMAIN_DEMAND_TABLE} tbody tr"):
            shown[row.find_element(By.CLASS_NAME, "domain-name").text] = int(
                row.find_element(By.CLASS_NAME, "domain-count").text)
    except StaleElementReferenceException:
        return {}
    return shown


def _expected_demand(db: Path, flt: AdvertFilter) -> dict[str, int]:
    con = duckdb.connect(str(warehouse.readable_path(db)), read_only=True)
    try:
        frame = domain_demand(con, flt)
    finally:
        con.close()
    return {f"{r.domain_id}. {r.domain_title}": int(r.adverts_needing) for r in frame.itertuples()}


def _until(condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def test_overview_shows_each_domain_with_the_warehouse_counts(browser, dashboard_url, db):
    browser.get(dashboard_url)
    _wait(browser, f"#{ids.DOMAIN_DEMAND_TABLE}")
    wanted = _expected_demand(db, AdvertFilter())
    assert len(wanted) == 6 and all(count > 0 for count in wanted.values())
    assert _shown_demand(browser) == wanted
    # how far each domain's count can be trusted, from the real-line record of the matcher in use
    real = accuracy.recorded("real")["per_domain"]
    checks = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, f"#{ids.DOMAIN_DEMAND_TABLE} .domain-check")]
    ratios = [round((s["tp"] + s["fp"]) / (s["tp"] + s["fn"]), 2) for s in (real[d] for d in "123456")]
    verdicts = ["about right" if 0.9 <= r <= 1.1 else "under-counted" if r < 1 else "over-counted" for r in ratios]
    assert checks == [f"{r:.2f} ({verdict})" for r, verdict in zip(ratios, verdicts)], checks
    assert any("under-counted" in check for check in checks)
    assert _wait(browser, f"#{ids.DOMAIN_TREND_CHART} .main-svg")
    # the sample board has a few adverts a month: the trend goes by quarter and says so
    _until(lambda: "By quarter (auto" in browser.find_element(By.ID, ids.TREND_CAPTION).text)
    note = _wait(browser, f"#{ids.PROVENANCE_NOTE}").text
    assert "reconstructed" in note and "labelled lines the matcher never saw" in note


def test_changing_filters_changes_the_figures_to_the_filtered_query(browser, dashboard_url, db):
    browser.get(dashboard_url)
    _wait(browser, f"#{ids.DOMAIN_DEMAND_TABLE}")
    essential_only = _expected_demand(db, AdvertFilter(level="essential"))
    assert essential_only != _expected_demand(db, AdvertFilter())
    browser.find_element(By.CSS_SELECTOR, "label[for='_dbcprivate_radioitems_filter-level_input_essential']").click()
    _until(lambda: _shown_demand(browser) == essential_only)
    browser.find_element(By.CSS_SELECTOR, f"#{ids.FILTER_INFORMATICS}").click()  # all adverts, informatics or not
    _until(lambda: _shown_demand(browser) == _expected_demand(db, AdvertFilter(level="essential",
                                                                               informatics_only=False)))


def test_csv_download_holds_exactly_the_table(browser, dashboard_url, db, downloads):
    browser.get(dashboard_url)
    _wait(browser, f"#{ids.DOMAIN_DEMAND_TABLE}")
    shown = _shown_demand(browser)
    browser.find_element(By.ID, ids.download_button(ids.DOMAIN_DEMAND_DOWNLOAD)).click()
    target = downloads / "domain-demand.csv"
    _until(lambda: target.exists() and target.stat().st_size > 0)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {f"{r['domain_id']}. {r['domain_title']}": int(r["adverts_needing"]) for r in rows} == shown
    assert len({r["filters"] for r in rows}) == 1 and rows[0]["filters"].startswith("informatics adverts; posted ")
    assert all(r["data_version"].startswith("data to ") for r in rows)


def test_a_shared_link_reproduces_the_filtered_view(browser, dashboard_url, db):
    browser.get(dashboard_url)
    _wait(browser, f"#{ids.DOMAIN_DEMAND_TABLE}")
    wanted = _expected_demand(db, AdvertFilter(level="essential", informatics_only=False))
    browser.find_element(By.CSS_SELECTOR, "label[for='_dbcprivate_radioitems_filter-level_input_essential']").click()
    browser.find_element(By.CSS_SELECTOR, f"#{ids.FILTER_INFORMATICS}").click()
    _until(lambda: _shown_demand(browser) == wanted)
    _until(lambda: "level=essential" in browser.current_url and "all=1" in browser.current_url)
    shared = browser.current_url
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".navbar a.nav-link")]
    assert links and all(link.endswith("?level=essential&all=1") for link in links), links
    # someone else opens the link: a fresh session, nothing remembered
    browser.execute_script("window.sessionStorage.clear(); window.localStorage.clear();")
    browser.get(dashboard_url)
    _until(lambda: _shown_demand(browser) == _expected_demand(db, AdvertFilter()))
    browser.get(shared)
    _until(lambda: _shown_demand(browser) == wanted)
    assert browser.find_element(By.ID, "_dbcprivate_radioitems_filter-level_input_essential").is_selected()


def test_links_to_an_empty_and_a_thin_selection_say_so_instead_of_drawing_shares(browser, dashboard_url, db):
    employer = "Northmoor Teaching Hospitals NHS Foundation Trust"  # a handful of adverts on the sample board
    other_band = query(db, "SELECT band FROM advert_facts WHERE band IS NOT NULL EXCEPT "
                           "SELECT band FROM advert_facts WHERE employer = ? LIMIT 1", [employer])[0][0]
    browser.get(dashboard_url + "?" + urlencode({"employer": employer, "band": other_band}))  # none of both
    _wait(browser, f"#{ids.DOMAIN_DEMAND_TABLE}")
    _until(lambda: "No adverts match these filters" in browser.find_element(By.ID, ids.OVERVIEW_SCOPE).text)
    shares = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, f"#{ids.DOMAIN_DEMAND_TABLE} .domain-share")]
    assert shares and all(share == "not shown: 0 adverts (fewer than 10)" for share in shares), shares
    adverts = _expected_demand(db, AdvertFilter(employers=(employer,)))
    browser.get(dashboard_url + "?" + urlencode({"employer": employer}))
    _until(lambda: _shown_demand(browser) == adverts)
    shares = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, f"#{ids.DOMAIN_DEMAND_TABLE} .domain-share")]
    assert all(re.fullmatch(r"not shown: [1-9] adverts? \(fewer than 10\)", share) for share in shares), shares
    browser.get(dashboard_url + "?" + urlencode({"employer": "No Such Trust"}))  # a link from other data
    warning = _wait(browser, f"#{ids.LINK_WARNING}")  # (not on the page while there is nothing to say)
    assert "employer 'No Such Trust', which this data does not have: left out of the filters" in warning.text


def test_the_region_map_and_the_pay_page_draw_under_the_filters(browser, dashboard_url):
    browser.get(dashboard_url + "regions")
    _wait(browser, f"#{ids.REGIONS_MAP} .main-svg")
    _until(lambda: "Scotland" in browser.find_element(By.ID, ids.REGIONS_MAP).text)
    tiles = browser.find_element(By.ID, ids.REGIONS_MAP).text
    assert all(region in tiles for region in ("London", "Wales", "Midlands", "South West", "Yorkshire"))
    assert "too few" in tiles or "no adverts" in tiles  # the sample board has few adverts a region
    assert "Unknown" in browser.find_element(By.ID, ids.REGIONS_TABLE).text
    browser.get(dashboard_url + "pay")
    _wait(browser, f"#{ids.PAY_CHART} .main-svg")
    _until(lambda: "Median" in browser.find_element(By.ID, ids.PAY_TABLE_HOLDER).text)


def test_markup_in_an_advert_shows_as_text_and_never_runs(browser, dashboard_url):
    browser.get(dashboard_url + "adverts")
    search = _wait(browser, f"#{ids.ADVERTS_SEARCH}")
    search.send_keys("Data Analyst <script>\n")
    _until(lambda: "<script>" in browser.find_element(By.ID, ids.ADVERTS_TABLE).text)
    assert browser.execute_script("return window.cijobsHacked === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, f"#{ids.ADVERTS_TABLE} script, #{ids.ADVERTS_TABLE} img")


def test_the_profiler_shows_the_expected_top_domain_for_a_pasted_advert(browser, dashboard_url, sample_board):
    advert = sample_board.by_reference("C9184-25-0511")
    lines = ["Essential"] + [t for block in advert["person_spec"] for t in block["essential"]]
    lines += ["Desirable"] + [t for block in advert["person_spec"] for t in block["desirable"]]
    browser.get(dashboard_url + "profiler")
    _wait(browser, f"#{ids.PROFILER_TEXT}").send_keys("\n".join(lines))
    browser.find_element(By.ID, ids.PROFILER_TITLE).send_keys("Clinical Safety Officer")
    browser.find_element(By.ID, ids.PROFILER_RUN).click()
    table = _wait(browser, f"#{ids.PROFILER_REQUIREMENTS}")
    domains = [cells[-1].text for cells in
               (row.find_elements(By.TAG_NAME, "td") for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"))]
    counts = {d: sum(d in cell.split(", ") for cell in domains) for d in "123456"}
    assert max(counts, key=counts.get) == "4", counts
    rows = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert all(" ~ " in row[3] for row in rows if row[2]), rows  # each match shows the words behind it
    assert _wait(browser, f"#{ids.PROFILER_DOMAIN_CHART} .main-svg")
    assert "competency F1" in _wait(browser, f"#{ids.PROFILER_ACCURACY}").text
    # the sample board has only a handful of similar adverts: too few to compare with, and the page says so
    assert "too few to compare with" in _wait(browser, f"#{ids.PROFILER_TOO_FEW}").text
    assert not browser.find_elements(By.CSS_SELECTOR, f"#{ids.PROFILER_SIMILAR}")
    assert browser.find_element(By.ID, ids.PROFILER_DOWNLOAD).get_attribute("href").startswith("data:text/csv")


def test_the_dashboard_keeps_serving_while_a_crawl_holds_the_warehouse(browser, dashboard_url, db):
    """A writer holding the warehouse's lock does not stop the dashboard: it reads the published snapshot."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, warehouse; con = warehouse.open_warehouse(sys.argv[1]); "
         "con.execute('BEGIN TRANSACTION'); con.execute(\"UPDATE adverts SET title = 'being rewritten'\"); "
         "print('locked', flush=True); time.sleep(60)", str(db)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        browser.get(dashboard_url + "adverts")
        _wait(browser, f"#{ids.ADVERTS_TABLE}")
        _until(lambda: "Example Trust" in browser.find_element(By.ID, ids.ADVERTS_TABLE).text)
        assert "being rewritten" not in browser.page_source
    finally:
        holder.kill()
        holder.wait()


def test_an_imported_corpus_shows_its_regions_employers_and_bands(browser, imported_url):
    browser.get(imported_url + "adverts")
    _wait(browser, f"#{ids.ADVERTS_TABLE}")
    browser.find_element(By.CSS_SELECTOR, f"#{ids.ADVERTS_CLOSED}").click()  # 2020 adverts are all closed now
    _until(lambda: "Bank Clinical Coder" in browser.find_element(By.ID, ids.ADVERTS_TABLE).text)
    table = browser.find_element(By.ID, ids.ADVERTS_TABLE).text
    for shown in ("Riverside Hospitals NHS Foundation Trust", "North West", "Band 4", "Lowmoor Integrated Care Board",
                  "South West", "Yorkshire"):
        assert shown in table
    browser.get(imported_url)
    _wait(browser, f"#{ids.DOMAIN_DEMAND_TABLE}")
    browser.find_element(By.CSS_SELECTOR, "#filter-band").click()
    _until(lambda: "Band 4" in browser.find_element(By.ID, ids.FILTER_BAR).text)

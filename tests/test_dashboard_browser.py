"""The dashboard in headless Chromium, against a warehouse crawled from the sample board."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import duckdb
import pytest

from tests.conftest import ROOT
from warehouse.queries import domain_demand

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--window-size=1400,1000",
)


def _browser_missing() -> str | None:
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    return f"{' and '.join(missing)} not installed (`make test` installs them with apt-get)" if missing else None


@pytest.fixture(scope="module")
def browser():
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="cijobs-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(crawled_db):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cijobs.cli", "serve", "--db", str(crawled_db), "--port", str(port)],
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


def test_overview_shows_each_domain_with_the_warehouse_counts(browser, dashboard_url, crawled_db):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    con = duckdb.connect(str(crawled_db), read_only=True)
    expected = domain_demand(con)
    con.close()
    browser.get(dashboard_url)
    WebDriverWait(browser, 60).until(EC.presence_of_element_located((By.ID, "domain-demand-table")))
    shown = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "#domain-demand-table tbody tr"):
        name = row.find_element(By.CLASS_NAME, "domain-name").text
        shown[name] = int(row.find_element(By.CLASS_NAME, "domain-count").text)
    wanted = {f"{r.domain_id}. {r.domain_title}": int(r.adverts_needing) for r in expected.itertuples()}
    assert len(wanted) == 6
    assert shown == wanted
    assert all(count > 0 for count in shown.values())
    assert browser.find_elements(By.CSS_SELECTOR, "#domain-trend-chart .main-svg")

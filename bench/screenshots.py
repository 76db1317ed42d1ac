"""Screenshots for docs/screenshots/: the overview's demand chart and trend, the regions map and the pay chart,
taken by headless Chromium from `cijobs serve` on a warehouse (the imported 2020 corpus: `bench/import_corpus.py
--keep DIR` builds it). Only charts of aggregates are captured, never a table of advert text, so no wording of
the unlicensed corpus lands in the repository. Not a bench: it prints the files it wrote.

    .venv/bin/python bench/screenshots.py --db /tmp/corpus2020/cijobs.duckdb [--out docs/screenshots]
"""
from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import ids  # noqa: E402
from tests import headless_chromium  # noqa: E402

# (file name, page, the element to capture, a text the element shows once drawn)
SHOTS = (
    ("overview-demand.png", "/", ids.DOMAIN_DEMAND_CHART, ""),
    ("overview-trend.png", "/", ids.DOMAIN_TREND_CHART, ""),
    ("regions-map.png", "/regions", ids.REGIONS_MAP, "London"),
    ("pay-by-band.png", "/pay", ids.PAY_CHART, "Band"),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(db: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "cijobs.cli", "serve", "--db", str(db), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit("`cijobs serve` did not come up") from None
            time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the warehouse to show")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if headless_chromium.missing():
        print(f"skipped: {headless_chromium.missing()}")
        return 0
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = serve(args.db, port)
    profile = Path(tempfile.mkdtemp(prefix="cijobs-screenshots-"))
    browser = headless_chromium.start(profile, extra_flags=("--window-size=1400,1100", "--hide-scrollbars"))
    try:
        for name, page, element_id, shows in SHOTS:
            browser.get(f"http://127.0.0.1:{port}{page}")
            WebDriverWait(browser, 90, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda b, e=element_id, s=shows: b.find_element(By.ID, e).find_elements(By.CSS_SELECTOR, ".main-svg")
                and s in b.find_element(By.ID, e).text)
            for _attempt in range(5):  # the callbacks may draw the chart again once or twice
                time.sleep(1.5)
                try:
                    browser.find_element(By.ID, element_id).screenshot(str(args.out / name))
                    break
                except StaleElementReferenceException:
                    continue
            print(f"wrote {args.out / name}")
    finally:
        browser.quit()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

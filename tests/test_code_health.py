"""The checks a reviewer would run by hand, run by `make test`: the linter, and Scrapy's contracts of the
spiders (their sample pages fetched from the bundled sample board, never the live site)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from cijobs.sample_site import SampleBoard, SampleSiteServer
from tests.conftest import ROOT


def test_the_code_passes_the_linter():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
def test_every_spider_contract_holds_on_the_sample_board():
    with SampleSiteServer(SampleBoard.default()) as site:
        result = subprocess.run([sys.executable, "-m", "scrapy", "check", "-s", f"CIJOBS_CONTRACT_BASE_URL={site.url}",
                                 "-s", "LOG_LEVEL=WARNING"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = result.stderr
    assert result.returncode == 0 and "Ran 3 contracts" in report and "OK" in report, report[-3000:]


def test_the_tests_mirror_the_packages():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    folders = {path.parent.name for path in (ROOT / "tests").glob("*/__init__.py")}
    assert packages == folders, f"packages without tests/<package>/: {packages - folders}; extra: {folders - packages}"

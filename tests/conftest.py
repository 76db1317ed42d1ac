"""Shared fixtures: the sample board on a loopback port and a warehouse crawled from it."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from cijobs.sample_site import SampleBoard, SampleSiteServer

ROOT = Path(__file__).resolve().parent.parent
# Where a command given no warehouse looks: never the developer's own data/cijobs.duckdb or $CIJOBS_DB, whose
# schema, framework and adverts are not the tests' (a `make run` before `make test` must not change a result).
ABSENT_WAREHOUSE = Path(tempfile.gettempdir()) / f"cijobs-tests-{os.getpid()}" / "no-warehouse.duckdb"


def run_cijobs(*args: str, check: bool = True, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run the real console entry point in a child process, as a user would."""
    isolated = {} if {"--db", "--config"} & set(args) else {"CIJOBS_DB": str(ABSENT_WAREHOUSE)}
    result = subprocess.run(
        [sys.executable, "-m", "cijobs.cli", *args], capture_output=True, text=True, cwd=kwargs.pop("cwd", ROOT),
        env={**os.environ, **isolated, **(env or {})}, timeout=kwargs.pop("timeout", 300), **kwargs,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"cijobs {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def query(db: Path, sql: str, params=()) -> list[tuple]:
    """Rows of one read-only query against a warehouse file (the tests' view of what was stored)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


# Modules whose tests start crawls, servers, refreshes or a browser: `make test-fast` leaves them out.
SLOW_MODULES = {"test_crawler_robustness", "test_operations", "test_end_to_end", "test_dashboard_browser",
                "test_jobposting_spider", "test_damaged_input", "test_csv_injection", "test_import",
                "test_small_numbers", "test_dashboard_planner", "test_parallel", "test_review"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sample_board() -> SampleBoard:
    return SampleBoard.default()


@pytest.fixture(scope="session")
def sample_site(sample_board):
    with SampleSiteServer(sample_board) as site:
        yield site


@pytest.fixture(scope="session")
def crawled_db(sample_site, tmp_path_factory) -> Path:
    """A warehouse built the way `cijobs demo` builds it: real spider over loopback, then match."""
    db = tmp_path_factory.mktemp("warehouse") / "cijobs.duckdb"
    run_cijobs("crawl", "nhsjobs", "--base-url", sample_site.url, "--delay", "0", "--db", str(db))
    run_cijobs("match", "--db", str(db))
    return db

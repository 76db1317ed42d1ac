"""Guards found by a fault probe: bad configuration values, a schedule that never ends, input that is not text,
a framework CSV that cannot be right, a killed publisher's leftover copy and an advert page that never answers."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cijobs.sample_site import Faults, SampleSiteServer
from matching.framework import load_framework
from tests.conftest import ROOT, query, run_cijobs

ADVERT = "/candidate/jobadvert/{}"


def one_line_error(result: subprocess.CompletedProcess, *expected: str) -> str:
    """The command failed with a single line on stderr (no traceback) that says each of ``expected``."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def status_with_config(tmp_path: Path, toml: str) -> subprocess.CompletedProcess:
    config = tmp_path / "cijobs.toml"
    config.write_text(toml, encoding="utf-8")
    return run_cijobs("status", "--config", str(config), check=False, env={"CIJOBS_DB": ""})


# 1. configuration

@pytest.mark.parametrize("keywords", ["[1, 2]", '[""]', '["digital", "  "]'])
def test_config_keywords_must_be_non_empty_strings(tmp_path, keywords):
    result = status_with_config(tmp_path, f'[warehouse]\npath = "{tmp_path}/w.duckdb"\n\n'
                                          f"[sources.nhsjobs]\nkeywords = {keywords}\n")
    one_line_error(result, "sources.nhsjobs.keywords", "cijobs.toml")


def test_config_max_pages_must_be_at_least_one(tmp_path):
    result = status_with_config(tmp_path, f'[warehouse]\npath = "{tmp_path}/w.duckdb"\n\n'
                                          "[sources.nhsjobs]\nmax_pages = 0\n")
    one_line_error(result, "sources.nhsjobs.max_pages", "greater than or equal to 1")


@pytest.mark.parametrize("key, section", [("warehouse.path", '[warehouse]\npath = "{blocker}/w.duckdb"\n'),
                                          ("refresh.log_dir", '[refresh]\nlog_dir = "{blocker}/logs"\n')])
def test_config_paths_that_cannot_be_written_are_one_line_errors(tmp_path, key, section):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    one_line_error(status_with_config(tmp_path, section.format(blocker=blocker)), key, "cannot be written")


def test_a_db_path_that_cannot_be_written_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    one_line_error(run_cijobs("match", "--db", str(blocker / "w.duckdb"), check=False), "cannot write")


# 2. schedule

@pytest.mark.parametrize("runs", ["-1", "0"])
def test_schedule_refuses_max_runs_below_one(tmp_path, runs):
    result = run_cijobs("schedule", "--cron", "0 6 * * *", "--max-runs", runs, "--db", str(tmp_path / "w.duckdb"),
                        check=False, timeout=60)
    assert result.returncode == 2
    one_line_error(result, "--max-runs", "at least 1")


# 3. classify

def classify_bytes(data: bytes) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "cijobs.cli", "classify"], input=data, capture_output=True,
                            cwd=ROOT, timeout=300)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode("utf-8", "replace"),
                                       result.stderr.decode("utf-8", "replace"))


def test_classify_refuses_invalid_utf8_naming_the_line():
    result = classify_bytes(b"Experience of SQL\nKnowledge of \xff\xfe clinical safety\n")
    one_line_error(result, "line 2", "not UTF-8")


def test_classify_refuses_binary_input():
    one_line_error(classify_bytes(b"%PDF-1.4\n\x00\x01\x02\x03 stream\n"), "line 2", "binary")


def test_classify_still_reads_utf8_with_a_byte_order_mark():
    result = classify_bytes("\ufeffExperience of SQL \u2013 essential\n".encode())
    assert result.returncode == 0, result.stderr
    assert '"text": "Experience of SQL \u2013 essential"' in result.stdout


# 4. framework import

def import_csv(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    csv_file = tmp_path / "official.csv"
    csv_file.write_text(text, encoding="utf-8")
    return run_cijobs("framework", "import", str(csv_file), "--db", str(tmp_path / "w.duckdb"), check=False)


def test_framework_import_refuses_a_csv_whose_ids_are_all_unknown(tmp_path):
    result = import_csv(tmp_path, "id,domain,subdomain,statement\n9.1.1,9,9.1,Something else\n"
                                  "9.1.2,Other,Other sub,Another thing\n")
    one_line_error(result, "official.csv", "9.1.1")
    assert not (tmp_path / "w.duckdb").exists() or not query(
        tmp_path / "w.duckdb", "SELECT domain_id FROM domains WHERE domain_id = '9'")


def test_framework_import_refuses_a_field_over_the_csv_limit(tmp_path):
    result = import_csv(tmp_path, "id,domain,subdomain,statement\n"
                                  f"4.2.1,Human factors,Clinical safety,{'x' * 200_000}\n")
    one_line_error(result, "official.csv", "field limit")


def test_framework_import_refuses_an_unterminated_quote(tmp_path):
    result = import_csv(tmp_path, 'id,domain,subdomain,statement\n4.2.1,Human factors,"Clinical safety,Statement\n'
                                  "4.2.2,Human factors,Clinical safety,Another statement\n")
    one_line_error(result, "official.csv", "not a valid CSV")


def test_framework_import_reads_ids_in_the_domain_columns_as_ids_not_titles(tmp_path):
    bundled = load_framework()
    result = import_csv(tmp_path, "id,domain,subdomain,statement\n4.2.1,4,4.2,Official statement about risk\n")
    assert result.returncode == 0, result.stderr
    current = "JOIN framework_versions f ON f.version = framework_version AND f.is_current"
    assert query(tmp_path / "w.duckdb", f"SELECT title FROM domains {current} WHERE domain_id = '4'") == [
        (next(d.title for d in bundled.domains if d.id == "4"),)]
    assert query(tmp_path / "w.duckdb", f"SELECT title FROM subdomains {current} WHERE subdomain_id = '4.2'") == [
        (next(s.title for s in bundled.subdomains if s.id == "4.2"),)]


def test_framework_import_refuses_a_domain_column_that_contradicts_the_id(tmp_path):
    one_line_error(import_csv(tmp_path, "id,domain,subdomain,statement\n4.2.1,5,4.2,Statement\n"),
                   "official.csv:2: domain", "'5'")


# 5. a killed publisher's copy

def test_the_next_writer_removes_a_dead_writers_publishing_copy(crawled_db, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(crawled_db, db)
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    dead = tmp_path / f".w.published.duckdb.{finished.pid}.tmp"
    alive = tmp_path / f".w.published.duckdb.{os.getpid()}.tmp"
    other = tmp_path / f".x.published.duckdb.{finished.pid}.tmp"
    for path in (dead, alive, other):
        path.write_bytes(b"half a warehouse")
    run_cijobs("match", "--rematch", "--db", str(db))
    assert not dead.exists()
    assert alive.exists() and other.exists()  # a running writer's copy, and another warehouse's


# 6. an advert page that fails after every retry

@pytest.mark.slow  # a crawl with retries and their back-off
def test_an_advert_page_failing_every_retry_is_a_counted_error_and_closes_nothing(sample_board, tmp_path):
    db = tmp_path / "w.duckdb"
    with SampleSiteServer(sample_board) as site:
        run_cijobs("crawl", "nhsjobs", "--base-url", site.url, "--delay", "0", "--db", str(db))
    failing = query(db, "SELECT reference FROM adverts WHERE status = 'open' ORDER BY reference LIMIT 1")[0][0]
    before = query(db, "SELECT reference, status, closed_at FROM adverts ORDER BY reference")
    with SampleSiteServer(sample_board, faults=Faults({ADVERT.format(failing): [503] * 10})) as site:
        result = run_cijobs("crawl", "nhsjobs", "--base-url", site.url, "--delay", "0", "--refetch", "--db", str(db))
    assert "advert pages failed 1" in result.stdout
    assert query(db, "SELECT pages_failed FROM crawl_runs ORDER BY run_id DESC LIMIT 1") == [(1,)]
    assert query(db, "SELECT reference, status, closed_at FROM adverts ORDER BY reference") == before
    assert "advert pages failed 1" in run_cijobs("status", "--db", str(db)).stdout


def test_figures_in_the_configuration_reach_every_crawl_of_a_refresh(tmp_path):
    from cijobs.config import load_config

    config = tmp_path / "cijobs.toml"
    config.write_text("[figures]\nrepost_window_days = 28\nrelevance_threshold = 2.5\n\n"
                      "[sources.nhsjobs]\nmax_listing_drop = 0.3\n", encoding="utf-8")
    loaded = load_config(config)
    arguments = loaded.sources[0].crawl_arguments(loaded.figures)
    settings = dict(arguments[i + 1].split("=") for i, word in enumerate(arguments) if word == "--set")
    assert settings == {"CIJOBS_MAX_LISTING_DROP": "0.3", "CIJOBS_REPOST_WINDOW_DAYS": "28",
                        "CIJOBS_RELEVANCE_THRESHOLD": "2.5"}


@pytest.mark.parametrize("pair, message", [("CIJOBS_DB=x.duckdb", "give NAME=VALUE with one of"),
                                           ("DOWNLOAD_DELAY=0", "give NAME=VALUE with one of"),
                                           ("CIJOBS_MAX_LISTING_DROP=lots", "CIJOBS_MAX_LISTING_DROP takes a float")])
def test_crawl_set_takes_only_cijobs_settings_of_the_right_kind(pair, message):
    one_line_error(run_cijobs("crawl", "nhsjobs", "--set", pair, check=False), message)

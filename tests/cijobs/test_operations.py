"""Operators' view: `cijobs refresh` / `schedule` against a loopback board, with its safety guarantees."""
from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest

from cijobs.config import load_config
from cijobs.errors import UserError
from cijobs.locking import WriterLock
from cijobs.sample_site import SampleBoard, SampleSiteServer
from crawler.spiders.nhsjobs import DEFAULT_KEYWORDS
from tests.conftest import ROOT, query, run_cijobs


def write_config(folder: Path, site_url: str, delay: float = 0.0, extra: str = "") -> Path:
    config = folder / "cijobs.toml"
    config.write_text(f"""
[warehouse]
path = "{folder / 'data' / 'cijobs.duckdb'}"

[refresh]
log_dir = "{folder / 'logs'}"

[sources.nhsjobs]
base_url = "{site_url}"
delay = {delay}
{extra}
""", encoding="utf-8")
    return config


@pytest.fixture
def board(sample_board) -> SampleBoard:
    """A private, editable copy of the sample board whose adverts are all still open."""
    board = SampleBoard(copy.deepcopy(sample_board.adverts))
    for advert in board.adverts:
        advert["closing_date"] = date.today() + timedelta(days=30)
    return board


def new_advert(board: SampleBoard, employer: str) -> dict:
    advert = copy.deepcopy(board.adverts[0])
    advert.update(reference="N0001-26-0001", employer=employer, date_posted=date.today(),
                  title="Clinical Informatics Lead")
    return advert


def test_the_relevance_threshold_of_the_configuration_decides_what_counts_as_informatics(board, tmp_path):
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url)
        config.write_text(config.read_text(encoding="utf-8") + "\n[figures]\nrelevance_threshold = 1000\n",
                          encoding="utf-8")
        run_cijobs("refresh", "--config", str(config))
    db = tmp_path / "data" / "cijobs.duckdb"
    adverts, informatics = query(db, "SELECT count(*), count(*) FILTER (WHERE is_informatics) FROM adverts")[0]
    assert adverts > 0 and informatics == 0  # no advert scores 1000; with the default 1.0 most sample adverts do


def test_refreshing_twice_fetches_no_advert_page_the_second_time(board, tmp_path):
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url)
        first = run_cijobs("refresh", "--config", str(config))
        site.requested.clear()
        second = run_cijobs("refresh", "--config", str(config))
        assert [p for p in site.requested if p.startswith("/candidate/jobadvert/")] == []
    assert "refresh succeeded" in first.stdout and "refresh succeeded" in second.stdout
    db = tmp_path / "data" / "cijobs.duckdb"
    assert query(db, "SELECT status, published FROM refresh_runs ORDER BY refresh_id") == [
        ("succeeded", True), ("succeeded", True)]
    assert query(db, "SELECT count(*) FROM crawl_runs WHERE status = 'succeeded'") == [(2,)]
    assert len(list((tmp_path / "logs").glob("refresh-*.log"))) == 2
    assert (tmp_path / "data" / "cijobs.published.duckdb").is_file()


def test_a_second_concurrent_refresh_is_refused(board, tmp_path):
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url)
        with WriterLock(tmp_path / "data" / "cijobs.duckdb", "test"):
            result = run_cijobs("refresh", "--config", str(config), check=False)
    assert result.returncode != 0
    assert "another cijobs process is writing cijobs.duckdb (pid" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_lock_of_a_crashed_refresh_does_not_stick(tmp_path):
    db = tmp_path / "data" / "cijobs.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from cijobs.locking import WriterLock; lock = WriterLock(Path(sys.argv[1]), 'test'); "
                               "lock.__enter__(); print('held', flush=True); time.sleep(60)", str(db)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(UserError):
        WriterLock(db, "test").__enter__()
    holder.kill()
    holder.wait()
    with WriterLock(db, "test"):
        pass


def _crawl_children(db: Path) -> list[int]:
    found = subprocess.run(["pgrep", "-f", f"cijobs.cli crawl .*--db {db}"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def test_every_writer_takes_the_one_lock(board, tmp_path):
    db = tmp_path / "data" / "cijobs.duckdb"
    with SampleSiteServer(board) as site, WriterLock(db, "test"):
        attempts = [run_cijobs("crawl", "nhsjobs", "--base-url", site.url, "--delay", "0", "--db", str(db),
                               check=False),
                    run_cijobs("match", "--db", str(db), check=False),
                    run_cijobs("import", "jobposting", str(ROOT / "tests" / "fixtures" / "jobposting_import" /
                                                         "records.jsonl"), "--db", str(db), check=False),
                    run_cijobs("reparse", "nhsjobs", "--db", str(db), check=False)]
    for result in attempts:
        assert result.returncode != 0 and "another cijobs process is writing cijobs.duckdb" in result.stderr
    assert not db.exists() or query(db, "SELECT count(*) FROM crawl_runs") == [(0,)]


def test_a_killed_refresh_takes_its_crawl_with_it_and_no_second_writer_gets_in_meanwhile(board, tmp_path):
    db = tmp_path / "data" / "cijobs.duckdb"
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url, delay=0.2)
        parent = subprocess.Popen([sys.executable, "-m", "cijobs.cli", "refresh", "--config", str(config)],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while sum(p.startswith("/candidate/jobadvert/") for p in site.requested) < 3:
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.05)
        assert _crawl_children(db)
        parent.kill()  # the refresh alone, as an operator's kill -9 of the scheduler would
        parent.wait()
        while _crawl_children(db):  # the child is told to stop (SIGTERM) and holds the lock until it has
            second = run_cijobs("crawl", "nhsjobs", "--base-url", site.url, "--delay", "0", "--db", str(db),
                                check=False)
            assert second.returncode != 0 and "another cijobs process is writing" in second.stderr \
                or not _crawl_children(db)
            assert time.monotonic() < deadline + 30
            time.sleep(0.2)
        finished = run_cijobs("refresh", "--config", str(write_config(tmp_path, site.url)))
    assert "refresh succeeded" in finished.stdout
    assert query(db, "SELECT count(*) FROM adverts")[0][0] == len(board.search_references(list(DEFAULT_KEYWORDS)))


def test_a_killed_refresh_leaves_published_data_alone_and_the_next_one_completes(board, tmp_path):
    db = tmp_path / "data" / "cijobs.duckdb"
    snapshot = tmp_path / "data" / "cijobs.published.duckdb"
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url)
        run_cijobs("refresh", "--config", str(config))
        published_before = snapshot.read_bytes()
        board.adverts.append(new_advert(board, "Newfield Digital Health NHS Trust"))
        for advert in board.adverts:  # every listing changes, so the slow refresh re-fetches every page
            advert["closing_date"] += timedelta(days=1)
        write_config(tmp_path, site.url, delay=0.2)
        victim = subprocess.Popen([sys.executable, "-m", "cijobs.cli", "refresh", "--config", str(config)],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        site.requested.clear()
        deadline = time.monotonic() + 60
        while sum(p.startswith("/candidate/jobadvert/") for p in site.requested) < 5:
            assert time.monotonic() < deadline and victim.poll() is None
            time.sleep(0.05)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        assert snapshot.read_bytes() == published_before
        write_config(tmp_path, site.url, delay=0.0)
        finished = run_cijobs("refresh", "--config", str(config))
    assert "refresh succeeded" in finished.stdout
    employers = {e for (e,) in query(snapshot, "SELECT employer FROM adverts")}
    assert "Newfield Digital Health NHS Trust" in employers
    statuses = [s for (s,) in query(db, "SELECT status FROM refresh_runs ORDER BY refresh_id")]
    assert statuses == ["succeeded", "interrupted", "succeeded"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _layout_text(url: str) -> str:
    with urllib.request.urlopen(url + "_dash-layout", timeout=10) as response:
        return response.read().decode("utf-8")


def test_a_running_dashboard_shows_new_adverts_after_a_refresh_without_restart(board, tmp_path):
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url)
        run_cijobs("refresh", "--config", str(config))
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "cijobs.cli", "serve", "--db",
                                   str(tmp_path / "data" / "cijobs.duckdb"), "--port", str(port)],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    before = _layout_text(url)
                    break
                except OSError:
                    assert time.monotonic() < deadline and server.poll() is None
                    time.sleep(0.3)
            assert "Newfield Digital Health NHS Trust" not in before
            board.adverts.append(new_advert(board, "Newfield Digital Health NHS Trust"))
            run_cijobs("refresh", "--config", str(config))
            assert "Newfield Digital Health NHS Trust" in _layout_text(url)
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.parametrize("content, message", [
    ("[warehouse]\npaht = 'x.duckdb'\n", "warehouse.paht is not a known key"),
    ("[sources.nhsjobs]\ndelay = 'fast'\n", "sources.nhsjobs.delay: input should be a valid number, not 'fast'"),
    ("[sources.nhsjobs]\nenabled = 1\n", "sources.nhsjobs.enabled: input should be a valid boolean"),
    ("[sources.nhsjobs]\nkeywords = ['digital', ' ']\n", "sources.nhsjobs.keywords[1]: string should have at least"),
    ("[sources.monster]\nenabled = true\n", "sources.monster is not a known name"),
    ("[refresh]\ncron = 'every morning'\n", "refresh.cron 'every morning' is not a cron expression"),
    ("[sources.nhsjobs\n", "not valid TOML"),
    ("warehouse = 'x.duckdb'\n", "warehouse must be a table"),
    ("[sources]\nnhsjobs = true\n", "sources.nhsjobs must be a table"),
    ("[sources.jobposting]\nbase_url = 'ftp://jobs.example.org'\n", "is not an http or https URL"),
    ("[sources.jobposting]\nenabled = true\n", "sources.jobposting needs base_url, start_urls or sitemap"),
])
def test_a_bad_configuration_names_the_problem(tmp_path, content, message):
    config = tmp_path / "cijobs.toml"
    config.write_text(content, encoding="utf-8")
    result = run_cijobs("refresh", "--config", str(config), check=False)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(UserError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(config)


def test_schedule_runs_refresh_and_reports_the_next_run(board, tmp_path):
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url)
        result = run_cijobs("schedule", "--config", str(config), "--cron", "0 6 * * *", "--run-now",
                            "--max-runs", "1")
    assert "scheduled refresh succeeded" in result.stderr
    assert query(tmp_path / "data" / "cijobs.duckdb", "SELECT count(*) FROM refresh_runs") == [(1,)]
    status = run_cijobs("status", "--config", str(config)).stdout
    assert "refresh #1" in status and "published" in status


def test_internal_only_adverts_are_kept_but_never_published(board, tmp_path):
    internal = new_advert(board, "Inward Trust")
    internal["job_summary"] = [*internal["job_summary"], "This post is open to internal applicants only."]
    board.adverts.append(internal)
    with SampleSiteServer(board) as site:
        config = write_config(tmp_path, site.url)
        run_cijobs("refresh", "--config", str(config))
    db = tmp_path / "data" / "cijobs.duckdb"
    assert query(db, "SELECT internal_only FROM adverts WHERE employer = 'Inward Trust'") == [(True,)]
    assert query(db, "SELECT count(*) FROM advert_facts WHERE employer = 'Inward Trust'") == [(0,)]
    exported = run_cijobs("export", "adverts", "--db", str(db)).stdout
    assert "Inward Trust" not in exported and json.loads(exported.splitlines()[0])


def test_basic_auth_protects_the_dashboard_when_configured(crawled_db, monkeypatch):
    import base64

    from dashboard.app import create_app

    monkeypatch.setenv("CIJOBS_DASHBOARD_USER", "planner")
    monkeypatch.setenv("CIJOBS_DASHBOARD_PASSWORD", "s3cret")
    client = create_app(crawled_db).server.test_client()
    assert client.get("/").status_code == 401
    wrong = base64.b64encode(b"planner:nope").decode()
    assert client.get("/", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode(b"planner:s3cret").decode()
    assert client.get("/", headers={"Authorization": f"Basic {right}"}).status_code == 200


def test_basic_auth_covers_callbacks_and_assets(crawled_db, monkeypatch):
    from dashboard.app import create_app

    monkeypatch.setenv("CIJOBS_DASHBOARD_USER", "planner")
    monkeypatch.setenv("CIJOBS_DASHBOARD_PASSWORD", "s3cret")
    client = create_app(crawled_db).server.test_client()
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/assets/bootstrap.min.css").status_code == 401


@pytest.mark.parametrize("variables", [{"CIJOBS_DASHBOARD_USER": "planner"}, {"CIJOBS_DASHBOARD_PASSWORD": "s3cret"},
                                       {"CIJOBS_DASHBOARD_USER": "planner", "CIJOBS_DASHBOARD_PASSWORD": ""},
                                       {"CIJOBS_DASHBOARD_USER": "", "CIJOBS_DASHBOARD_PASSWORD": "s3cret"}])
def test_half_an_auth_configuration_is_an_error_not_an_open_dashboard(crawled_db, variables):
    env = {"CIJOBS_DASHBOARD_USER": None, "CIJOBS_DASHBOARD_PASSWORD": None, **variables}
    clean = {k: v for k, v in os.environ.items() if k not in env}
    result = subprocess.run([sys.executable, "-m", "cijobs.cli", "serve", "--db", str(crawled_db), "--port", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**clean, **{k: v for k, v in env.items() if v is not None}})
    assert result.returncode == 2 and "set both CIJOBS_DASHBOARD_USER and CIJOBS_DASHBOARD_PASSWORD" in result.stderr


@pytest.mark.parametrize("arguments, message", [
    (["--host", "0.0.0.0"], "without a password"), (["--port", "99999"], "a port is a number from 1 to 65535")])
def test_serving_beyond_this_machine_needs_auth_or_an_explicit_flag(crawled_db, arguments, message):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIJOBS_DASHBOARD_")}
    result = subprocess.run([sys.executable, "-m", "cijobs.cli", "serve", "--db", str(crawled_db), *arguments],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, env=clean)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_demo_serves_quietly_with_working_links_and_stops_on_a_signal(tmp_path, stop):
    db, port = tmp_path / "demo.duckdb", _free_port()
    demo = subprocess.Popen([sys.executable, "-m", "cijobs.cli", "demo", "--port", str(port), "--db", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                assert demo.poll() is None and time.monotonic() < deadline, demo.stderr.read()
                time.sleep(0.3)
        url = query(db, "SELECT url FROM adverts ORDER BY reference LIMIT 1")[0][0]
        assert urllib.request.urlopen(url, timeout=5).status == 200  # the advert's link works while the demo runs
        demo.send_signal(stop)
        started = time.monotonic()
        demo.wait(timeout=10)
        assert time.monotonic() - started < 3
    finally:
        if demo.poll() is None:
            demo.kill()
    output = demo.stdout.read() + demo.stderr.read()
    assert " DEBUG " not in output and len(output) < 20_000
    assert f"--db {db}" in output

"""`cijobs refresh` dispatching to scrapyd, against a stand-in daemon on loopback (fast): the jobs it schedules,
how it waits, and the one-line errors that leave the warehouse as it was. tests/cijobs/test_scrapyd.py runs
the real daemons."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import warehouse
from cijobs.config import FiguresSection, ScrapydSection, SourceConfig, load_config
from cijobs.scrapyd_dispatch import ScrapydError, job_parameters, run_jobs
from tests.cijobs.scrapyd_daemons import free_port
from tests.cijobs.test_loading import advert, make_batch
from tests.conftest import query, run_cijobs


class FakeScrapyd:
    """Answers as scrapyd does. ``behaviour``: "batch" (each job finishes having written a batch), "no-batch"
    (finishes without one), "hang" (runs until cancelled) or "no-project" (schedule refused)."""

    def __init__(self, behaviour: str = "batch", batch_dir: Path | None = None):
        self.behaviour, self.batch_dir = behaviour, batch_dir
        self.scheduled: list[dict[str, list[str]]] = []
        self.cancelled: list[str] = []
        self.authorizations: list[str | None] = []
        self.states: dict[str, str] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                fake.authorizations.append(self.headers.get("Authorization"))
                parts = urlsplit(self.path)
                if parts.path == "/daemonstatus.json":
                    return self._json({"status": "ok", "running": 0})
                if parts.path == "/listjobs.json":
                    listed = {"status": "ok", "pending": [], "running": [], "finished": []}
                    for job, state in fake.states.items():
                        listed[state].append({"id": job, "log_url": f"/logs/cijobs/spider/{job}.log"})
                        if state == "pending":
                            fake.states[job] = "running" if fake.behaviour == "hang" else "finished"
                    return self._json(listed)
                self.send_error(404)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                if self.path == "/schedule.json":
                    if fake.behaviour == "no-project":
                        return self._json({"status": "error", "message": "project 'cijobs' not found"})
                    fake.scheduled.append(form)
                    job = form["jobid"][0]
                    fake.states[job] = "pending"
                    if fake.behaviour == "batch":
                        make_batch(fake.batch_dir, [advert(f"N{len(fake.scheduled)}")], batch_id=job)
                    return self._json({"status": "ok", "jobid": job})
                if self.path == "/cancel.json":
                    fake.cancelled.append(form["job"][0])
                    fake.states[form["job"][0]] = "finished"
                    return self._json({"status": "ok", "prevstate": "running"})
                self.send_error(404)

            def _json(self, answer: dict):
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeScrapyd:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def section(urls: list[str], batch_dir: Path, **extra) -> ScrapydSection:
    return ScrapydSection(urls=urls, batch_dir=str(batch_dir), poll_seconds=0.05, **extra)


def test_each_source_is_a_job_with_its_settings_and_arguments_spread_over_the_daemons(tmp_path):
    batch_dir = tmp_path / "batches"
    sources = [SourceConfig("nhsjobs", base_url="http://127.0.0.1:9", delay=0.0, keywords=["digital", "EPR"]),
               SourceConfig("jobposting", base_url="http://127.0.0.1:9", max_pages=3)]
    with FakeScrapyd(batch_dir=batch_dir) as first, FakeScrapyd(batch_dir=batch_dir) as second:
        jobs = run_jobs(section([first.url, second.url], batch_dir), sources, FiguresSection(repost_window_days=7))
    assert [(job.source, job.daemon.url) for job in jobs] == [("nhsjobs", first.url), ("jobposting", second.url)]
    nhsjobs, jobposting = first.scheduled[0], second.scheduled[0]
    assert nhsjobs["spider"] == ["nhsjobs"] and nhsjobs["project"] == ["cijobs"]
    assert nhsjobs["jobid"] == [jobs[0].job_id]  # the job id is the id of the batch it writes
    assert nhsjobs["keywords"] == ["digital,EPR"] and nhsjobs["discovery"] == ["api"]
    assert "discovery" not in jobposting and jobposting["max_pages"] == ["3"]
    settings = dict(setting.split("=", 1) for setting in nhsjobs["setting"])
    assert settings["CIJOBS_BATCH_DIR"] == str(batch_dir.resolve())
    assert settings["CIJOBS_REPOST_WINDOW_DAYS"] == "7" and settings["DOWNLOAD_DELAY"] == "0.0"
    assert settings["AUTOTHROTTLE_ENABLED"] == "False"


def test_a_keyword_with_a_comma_cannot_be_a_job_argument(tmp_path):
    source = SourceConfig("nhsjobs", keywords=["data, analytics"])
    with pytest.raises(Exception, match="has a comma"):
        job_parameters(source, FiguresSection(), tmp_path)


def test_an_unreachable_daemon_is_one_error_before_any_job_starts(tmp_path):
    port = free_port()
    with FakeScrapyd(batch_dir=tmp_path) as reachable:
        with pytest.raises(ScrapydError, match=rf"scrapyd at http://127.0.0.1:{port} cannot be reached"):
            run_jobs(section([reachable.url, f"http://127.0.0.1:{port}"], tmp_path), [SourceConfig("nhsjobs")],
                     FiguresSection())
    assert reachable.scheduled == []


def test_a_job_that_ends_without_a_batch_is_an_error_naming_its_log(tmp_path):
    with FakeScrapyd("no-batch") as daemon:
        with pytest.raises(ScrapydError, match="finished without writing a batch") as raised:
            run_jobs(section([daemon.url], tmp_path), [SourceConfig("nhsjobs")], FiguresSection())
    assert f"log {daemon.url}/logs/cijobs/spider/" in str(raised.value)


def test_jobs_still_running_at_the_timeout_are_cancelled(tmp_path):
    with FakeScrapyd("hang") as daemon:
        with pytest.raises(ScrapydError, match="not finished after 0.005 minutes"):
            run_jobs(section([daemon.url], tmp_path, timeout_minutes=0.005), [SourceConfig("nhsjobs")],
                     FiguresSection())
    assert daemon.cancelled == [job for job in daemon.states]


def test_basic_auth_from_the_url_is_sent_and_never_shown(tmp_path):
    with FakeScrapyd("no-batch") as daemon:
        url = daemon.url.replace("http://", "http://crawler:s%40cret@")
        with pytest.raises(ScrapydError) as raised:
            run_jobs(section([url], tmp_path), [SourceConfig("nhsjobs")], FiguresSection())
    assert set(daemon.authorizations) == {"Basic Y3Jhd2xlcjpzQGNyZXQ="}  # crawler:s@cret
    assert "cret" not in str(raised.value) and daemon.url in str(raised.value)


def test_a_project_not_deployed_says_so(tmp_path):
    with FakeScrapyd("no-project") as daemon:
        with pytest.raises(ScrapydError, match="project 'cijobs' not found; deploy it first"):
            run_jobs(section([daemon.url], tmp_path), [SourceConfig("nhsjobs")], FiguresSection())


def write_config(tmp_path: Path, urls: list[str]) -> Path:
    config = tmp_path / "cijobs.toml"
    config.write_text(f"""
[warehouse]
path = "{tmp_path / 'data' / 'cijobs.duckdb'}"

[sources.nhsjobs]
base_url = "http://127.0.0.1:9"

[sources.jobposting]
base_url = "http://127.0.0.1:9"

[scrapyd]
urls = {json.dumps(urls)}
batch_dir = "{tmp_path / 'batches'}"
poll_seconds = 0.05
""", encoding="utf-8")
    return config


def test_refresh_dispatches_waits_loads_and_publishes(tmp_path):
    with FakeScrapyd(batch_dir=tmp_path / "batches") as daemon:
        config = write_config(tmp_path, [daemon.url])
        assert load_config(config).dispatches
        result = run_cijobs("refresh", "--config", str(config))
    db = tmp_path / "data" / "cijobs.duckdb"
    assert "refresh succeeded" in result.stdout and result.stdout.count("nhsjobs succeeded") == 2
    assert query(db, "SELECT reference FROM adverts ORDER BY reference") == [("N1",), ("N2",)]
    assert query(db, "SELECT status, published FROM refresh_runs") == [("succeeded", True)]
    assert warehouse.published_path(db).is_file()
    assert (tmp_path / "batches" / "known" / "nhsjobs.json").is_file()  # the next jobs skip unchanged adverts


@pytest.mark.parametrize("behaviour, message", [
    ("no-batch", "finished without writing a batch"),
    ("unreachable", "cannot be reached"),
])
def test_a_failed_dispatch_is_one_line_a_non_zero_exit_and_leaves_the_warehouse_as_it_was(tmp_path, behaviour,
                                                                                           message):
    with FakeScrapyd("batch" if behaviour == "unreachable" else behaviour, tmp_path / "batches") as daemon:
        urls = [daemon.url, f"http://127.0.0.1:{free_port()}"] if behaviour == "unreachable" else [daemon.url]
        result = run_cijobs("refresh", "--config", str(write_config(tmp_path, urls)), check=False)
    db = tmp_path / "data" / "cijobs.duckdb"
    assert result.returncode == 1
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("cijobs refresh: error: refresh failed:") and message in error
    assert "the dashboard still shows the last published data" in error
    assert query(db, "SELECT count(*) FROM adverts") == [(0,)]
    assert query(db, "SELECT count(*) FROM crawl_runs") == [(0,)]
    assert query(db, "SELECT status, published FROM refresh_runs") == [("failed", False)]
    assert not warehouse.published_path(db).exists()

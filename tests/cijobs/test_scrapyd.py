"""Crawls as scrapyd jobs, for real: two scrapyd daemons on 127.0.0.1 started from the pinned package, the
project deployed to both as an egg built by scrapyd-deploy, `cijobs refresh` dispatching one source to each,
and the warehouse the batches make compared with the one direct crawls make."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cijobs.sample_site import SampleSiteServer
from crawler.batches import LOADED
from tests.cijobs.scrapyd_daemons import ScrapydDaemon, build_egg, deploy
from tests.conftest import query, run_cijobs
from tests.crawler.test_jobposting_spider import FixtureBoard

pytestmark = pytest.mark.slow
RUN_COLUMNS = ("source, status, adverts_seen, adverts_new, adverts_updated, adverts_closed, parse_errors, requests, "
               "responses_ok, responses_error, listing_counts")


def write_config(folder: Path, nhsjobs_url: str, jobposting_url: str, scrapyd_urls: list[str] | None) -> Path:
    scrapyd = "" if scrapyd_urls is None else f"""
[scrapyd]
urls = {scrapyd_urls!r}
batch_dir = "{folder / 'batches'}"
poll_seconds = 0.2
timeout_minutes = 2
""".replace("'", '"')
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "cijobs.toml"
    config.write_text(f"""
[warehouse]
path = "{folder / 'data' / 'cijobs.duckdb'}"

[sources.nhsjobs]
base_url = "{nhsjobs_url}"
delay = 0.0

[sources.jobposting]
base_url = "{jobposting_url}"
delay = 0.0
{scrapyd}""", encoding="utf-8")
    return config


def snapshot(db: Path) -> dict:
    return {
        "adverts": query(db, "SELECT source, reference, content_hash, status FROM adverts ORDER BY ALL"),
        "requirements": query(db, "SELECT count(*) FROM requirements"),
        "pages": query(db, "SELECT source, reference, content_hash, parse_ok FROM raw_pages ORDER BY ALL"),
        "runs": query(db, f"SELECT {RUN_COLUMNS} FROM crawl_runs ORDER BY source"),
    }


def test_refresh_runs_each_source_as_a_scrapyd_job_and_the_warehouse_is_the_direct_crawls(sample_board, tmp_path):
    egg = build_egg(tmp_path / "egg")
    with SampleSiteServer(sample_board) as site, FixtureBoard() as board, \
            ScrapydDaemon(tmp_path / "scrapyd-1") as first, ScrapydDaemon(tmp_path / "scrapyd-2") as second:
        for daemon in (first, second):
            assert deploy(daemon.url, egg)["spiders"] == 2
        direct = write_config(tmp_path / "direct", site.url, board.url, None)
        run_cijobs("refresh", "--config", str(direct))
        dispatched = write_config(tmp_path / "dispatched", site.url, board.url, [first.url, second.url])
        result = run_cijobs("refresh", "--config", str(dispatched))

        db = tmp_path / "dispatched" / "data" / "cijobs.duckdb"
        assert "refresh succeeded" in result.stdout
        assert snapshot(db) == snapshot(tmp_path / "direct" / "data" / "cijobs.duckdb")
        assert len(query(db, "SELECT run_id FROM crawl_runs")) == 2  # one run per job
        assert query(db, "SELECT status, published FROM refresh_runs") == [("succeeded", True)]
        # each daemon ran one job, from the deployed egg, and each job's batch is in the ledger
        for daemon, spider in ((first, "nhsjobs"), (second, "jobposting")):
            assert len(list((daemon.folder / "logs" / "cijobs" / spider).glob("*.log"))) == 1
        loaded = sorted((tmp_path / "dispatched" / "batches" / LOADED).iterdir())
        assert all("eggs/cijobs" in _written_by(batch)["code"] for batch in loaded)
        assert query(db, "SELECT count(*) FROM loaded_batches") == [(2,)]

        # the same batches again add nothing
        before = snapshot(db)
        for batch in loaded:
            shutil.copytree(batch, batch.parent.parent / batch.name)
        again = run_cijobs("load", "--config", str(dispatched))
        assert again.stdout.count(": already loaded") == 2
        assert snapshot(db) == before and query(db, "SELECT count(*) FROM loaded_batches") == [(2,)]

        # a second refresh fetches no NHS Jobs advert page whose listing has not changed
        site.requested.clear()
        run_cijobs("refresh", "--config", str(dispatched))
        assert site.requested and not [path for path in site.requested if path.startswith("/candidate/jobadvert/")]


def _written_by(batch: Path) -> dict:
    return json.loads((batch / "manifest.json").read_text(encoding="utf-8"))["written_by"]

"""`cijobs load` without scrapyd: batches written as a job writes them, merged once each, in order; a damaged
batch refused whole, recorded and shown; a failed crawl's batch recorded as the failed run it was."""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import warehouse
from cijobs.loading import load_batches
from crawler.batches import LOADED, REJECTED, open_batch, read_known_listings, write_batch
from crawler.recording import CrawlOutcome
from crawler.staging import CrawlStage
from tests.conftest import query, run_cijobs

START = datetime(2026, 11, 20, 6, 0)
TABLES = ("adverts", "requirements", "raw_pages", "crawl_runs", "loaded_batches", "sources")


def advert(reference: str, title: str = "Clinical Informatics Lead") -> dict:
    """An advert as the spider stages it (JSON: dates as text)."""
    return {
        "source": "nhsjobs", "reference": reference, "url": f"http://127.0.0.1/candidate/jobadvert/{reference}",
        "title": title, "employer": "Example Trust", "date_posted": "2026-11-01", "closing_date": "2026-12-31",
        "is_informatics": True, "informatics_score": 3.0, "discovery_hash": f"hash-{reference}-{title}",
        "requirements": [
            {"section": "person_specification", "category": "Experience", "level": "essential",
             "text": "Experience of clinical risk management"},
            {"section": "person_specification", "category": "Skills", "level": "desirable", "text": "SQL"},
        ],
    }


def page(reference: str, parse_ok: bool = True) -> dict:
    return {"url": f"http://127.0.0.1/candidate/jobadvert/{reference}", "source": "nhsjobs", "reference": reference,
            "fetched_at": START.isoformat(), "http_status": 200, "html": f"<html><body>{reference}</body></html>",
            "parse_ok": parse_ok, "parse_error": None if parse_ok else "no advert markup"}


def make_batch(batch_dir: Path, adverts: list[dict], *, pages: list[dict] | None = None, failure: str | None = None,
               minutes: int = 0, batch_id: str | None = None, skipped: list[dict] = (),
               complete: bool = False) -> Path:
    """A batch as a scrapyd job's pipeline writes it, of a crawl that finished ``minutes`` after START; ``skipped``
    adverts were listed unchanged (not fetched); ``complete``: its discovery may close unlisted adverts."""
    stage = CrawlStage(batch_dir.parent / f"stage-{uuid.uuid4().hex}")
    pages = [page(a["reference"]) for a in adverts] if pages is None else pages
    for item in adverts:
        stage.add_advert(item)
    for item in (*adverts, *skipped):
        stage.add_listed(item["reference"], item["discovery_hash"], "informatics")
    for item in pages:
        stage.add_page(item)
    outcome = CrawlOutcome(
        source="nhsjobs", source_name="NHS Jobs", base_url="http://127.0.0.1", attribution="fictional",
        started_at=START + timedelta(minutes=minutes), finished_at=START + timedelta(minutes=minutes, seconds=30),
        failure=failure, counts={"adverts_seen": len(adverts) + len(skipped), "requests": len(pages) + 1,
                                 "parse_errors": sum(not p["parse_ok"] for p in pages),
                                 "adverts_skipped": len(skipped)},
        responses_by_status={"200": len(pages) + 1}, keywords=["informatics"], discovery_complete=complete)
    path = write_batch(batch_dir, batch_id or uuid.uuid4().hex, outcome, stage.records)
    stage.discard()
    return path


def counts(db: Path) -> dict[str, int]:
    return {table: query(db, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


@pytest.fixture
def batch_dir(tmp_path) -> Path:
    folder = tmp_path / "batches"
    folder.mkdir()
    return folder


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "cijobs.duckdb"
    warehouse.open_warehouse(path).close()
    return path


def test_a_batch_loads_once_and_loading_it_again_adds_nothing(batch_dir, db):
    made = make_batch(batch_dir, [advert("N1"), advert("N2")])
    report = load_batches(db, batch_dir)
    assert [b.status for b in report.batches] == ["succeeded"] and report.ok
    first = counts(db)
    assert first == {"adverts": 2, "requirements": 4, "raw_pages": 2, "crawl_runs": 1, "loaded_batches": 1,
                     "sources": 1}
    run = query(db, "SELECT status, adverts_new, requests, started_at, finished_at, duration_seconds FROM crawl_runs")
    assert run == [("succeeded", 2, 3, START, START + timedelta(seconds=30), 30.0)]  # the crawl's times, not the load's
    assert not made.exists() and (batch_dir / LOADED / made.name).is_dir()
    adverts_before = query(db, "SELECT * EXCLUDE (last_seen) FROM adverts ORDER BY reference")

    shutil.copytree(batch_dir / LOADED / made.name, made)  # the same batch put back (or a loader that stopped
    again = load_batches(db, batch_dir)                     # between its commit and the move)
    assert [b.status for b in again.batches] == ["already loaded"] and again.ok
    assert counts(db) == first
    assert query(db, "SELECT * EXCLUDE (last_seen) FROM adverts ORDER BY reference") == adverts_before
    assert not made.exists() and len(list((batch_dir / LOADED).iterdir())) == 2
    assert load_batches(db, batch_dir).batches == []  # nothing waits: nothing done


def test_batches_load_in_the_order_their_crawls_finished(batch_dir, db):
    later = make_batch(batch_dir, [advert("N1", "Digital Lead (revised)")], minutes=60)
    earlier = make_batch(batch_dir, [advert("N1", "Digital Lead")], minutes=0)
    report = load_batches(db, batch_dir)
    assert [b.name for b in report.batches] == [earlier.name, later.name]
    assert query(db, "SELECT title FROM adverts") == [("Digital Lead (revised)",)]
    assert query(db, "SELECT adverts_new, adverts_updated FROM crawl_runs ORDER BY run_id") == [(1, 0), (0, 1)]
    assert read_known_listings(batch_dir, "nhsjobs") == {"N1": "hash-N1-Digital Lead (revised)"}


def test_a_complete_listing_closes_unlisted_adverts_and_skipped_ones_stay_open(batch_dir, db):
    make_batch(batch_dir, [advert("N1"), advert("N2")], complete=True)
    load_batches(db, batch_dir)
    make_batch(batch_dir, [], skipped=[advert("N1")], complete=True, minutes=60)  # N1 unchanged, N2 gone
    report = load_batches(db, batch_dir)
    assert [b.status for b in report.batches] == ["succeeded"]
    assert query(db, "SELECT reference, status FROM adverts ORDER BY reference") == [("N1", "open"), ("N2", "closed")]
    assert query(db, "SELECT adverts_unchanged, adverts_closed FROM crawl_runs ORDER BY run_id DESC LIMIT 1") == [
        (1, 1)]


def test_a_failed_crawls_batch_keeps_its_pages_and_is_recorded_as_a_failed_run(batch_dir, db):
    pages = [page("N1"), page("N2", parse_ok=False), page("N3", parse_ok=False)]
    make_batch(batch_dir, [advert("N1")], pages=pages, failure="2 of 3 advert pages failed to parse")
    report = load_batches(db, batch_dir)
    assert [b.status for b in report.batches] == ["failed"] and not report.ok
    assert "failed to parse" in report.problem()
    assert query(db, "SELECT count(*) FROM adverts") == [(0,)]  # the published data stays as it was
    assert query(db, "SELECT count(*), count(*) FILTER (WHERE NOT parse_ok) FROM raw_pages") == [(3, 2)]
    assert query(db, "SELECT status, message, parse_errors FROM crawl_runs") == [
        ("failed", "2 of 3 advert pages failed to parse", 2)]


def _truncate_pages(path: Path) -> None:
    pages = path / "pages.jsonl.gz"
    pages.write_bytes(pages.read_bytes()[:-20])


def _drop_manifest(path: Path) -> None:
    (path / "manifest.json").unlink()


def _page_without_html(path: Path) -> None:
    """A page record the warehouse cannot take, with a manifest that vouches for it: found only mid-load,
    after the adverts went in."""
    pages = path / "pages.jsonl.gz"
    records = [json.loads(line) for line in gzip.decompress(pages.read_bytes()).splitlines()]
    del records[-1]["html"]
    pages.write_bytes(gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records)))
    manifest = json.loads((path / "manifest.json").read_text())
    entry = manifest["files"]["pages"]
    entry.update(bytes=pages.stat().st_size, sha256=hashlib.sha256(pages.read_bytes()).hexdigest())
    (path / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage, reason", [
    (_truncate_pages, "pages.jsonl.gz is not the file the manifest describes"),
    (_drop_manifest, "no manifest.json"),
    (_page_without_html, "KeyError: 'html'"),
])
def test_a_damaged_batch_is_rejected_whole_recorded_and_the_others_still_load(batch_dir, db, damage, reason):
    good = make_batch(batch_dir, [advert("N1")], minutes=0)
    bad = make_batch(batch_dir, [advert("N2"), advert("N3")], minutes=5)
    damage(bad)
    report = load_batches(db, batch_dir)
    assert [(b.name, b.status) for b in report.batches] == [(good.name, "succeeded"), (bad.name, "rejected")]
    assert reason in report.batches[1].message and not report.ok and "1 batch(es) rejected" in report.problem()
    # nothing of the damaged batch is in: no advert, page, run or ledger row
    assert query(db, "SELECT reference FROM adverts") == [("N1",)]
    assert counts(db) == {"adverts": 1, "requirements": 2, "raw_pages": 1, "crawl_runs": 1, "loaded_batches": 1,
                          "sources": 1}
    assert query(db, "SELECT name FROM rejected_batches") == [(bad.name,)]
    assert (batch_dir / REJECTED / bad.name).is_dir() and not bad.exists()
    assert reason in (batch_dir / REJECTED / f"{bad.name}.reason.txt").read_text()


def test_a_batch_still_being_written_is_left_alone_and_reported(batch_dir, db):
    make_batch(batch_dir, [advert("N1")])
    partial = batch_dir / ".partial-20261120T060000000000Z-nhsjobs-x"
    partial.mkdir()
    report = load_batches(db, batch_dir)
    assert [b.status for b in report.batches] == ["succeeded"] and report.ok
    assert partial.is_dir() and report.still_writing == [partial.name]
    assert "1 batch(es) still being written" in "\n".join(report.lines())


def test_a_written_batch_is_what_its_manifest_says(batch_dir):
    path = make_batch(batch_dir, [advert("N1"), advert("N2")])
    batch = open_batch(path)
    assert batch.name.endswith(f"-nhsjobs-{batch.batch_id}") and batch.outcome.started_at == START
    assert [a["reference"] for a in batch.records("adverts")] == ["N1", "N2"]
    assert [p["html"] for p in batch.records("pages")][0] == "<html><body>N1</body></html>"
    assert not any(entry.name.startswith(".") for entry in batch_dir.iterdir())  # written under a dot-name, renamed


def test_load_from_the_command_line_reports_a_rejected_batch_and_status_shows_it(batch_dir, db, tmp_path):
    make_batch(batch_dir, [advert("N1")])
    _drop_manifest(make_batch(batch_dir, [advert("N2")], minutes=5))
    result = run_cijobs("load", "--batch-dir", str(batch_dir), "--db", str(db), check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("cijobs load: error: 1 batch(es) rejected")
    assert "not published" in result.stderr
    status = run_cijobs("status", "--db", str(db)).stdout
    assert "crawl batches (cijobs load): 1 loaded" in status and "1 rejected" in status and "no manifest.json" in status


def test_load_needs_a_batch_folder(tmp_path):
    result = run_cijobs("load", "--db", str(tmp_path / "w.duckdb"), check=False, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("cijobs load: error: no batch folder: give --batch-dir DIR or set "
                                     "scrapyd.batch_dir in cijobs.toml")
    missing = run_cijobs("load", "--batch-dir", str(tmp_path / "none"), "--db", str(tmp_path / "w.duckdb"),
                         check=False, cwd=tmp_path)
    assert missing.returncode == 1 and "no batch folder here" in missing.stderr

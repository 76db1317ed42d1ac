"""A crawl with CIJOBS_BATCH_DIR writes its run as a batch instead of opening the warehouse, and `cijobs load`
makes of it what the crawl would have made itself: the same adverts, pages and run, and the same failed run,
pages kept, when most pages do not parse."""
from __future__ import annotations

from pathlib import Path

import pytest

from cijobs.sample_site import Faults, SampleSiteServer
from crawler.spiders.nhsjobs import DEFAULT_KEYWORDS
from tests.conftest import query, run_cijobs

pytestmark = pytest.mark.slow
RUN = ("status, message, adverts_seen, adverts_new, adverts_closed, parse_errors, requests, responses_ok, "
       "responses_error, pages_failed, discovery_errors, listing_counts, responses_by_status")


def warehouse_contents(db: Path) -> dict:
    """What a crawl stored, less what names the board's port (each crawl has a board of its own), the time, or the
    order in which pages arrived (advert ids)."""
    return {"adverts": query(db, "SELECT a.* EXCLUDE (advert_id, duplicate_of, url, content_hash, discovery_hash, "
                                 "first_seen, last_seen), d.reference FROM adverts a "
                                 "LEFT JOIN adverts d ON d.advert_id = a.duplicate_of ORDER BY a.reference"),
            "pages": query(db, r"SELECT reference, content_hash, parse_ok, regexp_replace(parse_error, ':\d+/', '/') "
                               "FROM raw_pages ORDER BY ALL"),
            "runs": query(db, f"SELECT {RUN} FROM crawl_runs ORDER BY run_id")}


def crawl_both_ways(board, tmp_path: Path, faults: dict | None = None) -> tuple[Path, Path, object]:
    """The same crawl loading itself into direct.duckdb, and as a batch loaded into batched.duckdb."""
    direct, batched, batch_dir = tmp_path / "direct.duckdb", tmp_path / "batched.duckdb", tmp_path / "batches"
    with SampleSiteServer(board, faults=Faults(faults)) as site:
        run_cijobs("crawl", "nhsjobs", "--base-url", site.url, "--delay", "0", "--db", str(direct), check=False)
    with SampleSiteServer(board, faults=Faults(faults)) as site:
        staged = run_cijobs("crawl", "nhsjobs", "--base-url", site.url, "--delay", "0", "--set",
                            f"CIJOBS_BATCH_DIR={batch_dir}", "--db", str(tmp_path / "untouched.duckdb"), check=False)
    assert not (tmp_path / "untouched.duckdb").exists()  # the crawl never opened a warehouse
    assert len(list(batch_dir.iterdir())) == 1
    loaded = run_cijobs("load", "--batch-dir", str(batch_dir), "--db", str(batched), check=False)
    return direct, batched, (staged, loaded)


def test_a_batch_loaded_is_the_crawl_the_pipeline_would_have_loaded(sample_board, tmp_path):
    direct, batched, (staged, loaded) = crawl_both_ways(sample_board, tmp_path)
    assert staged.returncode == 0 and "staged as batch" in staged.stdout
    assert loaded.returncode == 0 and "nhsjobs succeeded" in loaded.stdout
    assert warehouse_contents(batched) == warehouse_contents(direct)
    assert query(batched, "SELECT count(*) FROM adverts")[0][0] > 30


def test_a_failed_crawls_batch_is_the_same_failed_run_with_its_pages_kept(sample_board, tmp_path):
    expected = sorted(sample_board.search_references(list(DEFAULT_KEYWORDS)))
    broken = {f"/candidate/jobadvert/{ref}": ["malformed"] for ref in expected[: len(expected) // 2 + 1]}
    direct, batched, (staged, loaded) = crawl_both_ways(sample_board, tmp_path, broken)
    assert staged.returncode == 1 and "markup has probably changed" in staged.stderr
    assert loaded.returncode == 1 and "1 crawl(s) failed" in loaded.stderr
    contents = warehouse_contents(batched)
    assert contents == warehouse_contents(direct)
    assert contents["adverts"] == [] and contents["runs"][0][0] == "failed"
    assert sum(not ok for _, _, ok, _ in contents["pages"]) == len(broken)

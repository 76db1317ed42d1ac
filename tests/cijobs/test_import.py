"""`cijobs import jobposting FILE`: a saved corpus of JobPosting records becomes history like a crawl's, through
the same parser, privacy, relevance and matching path (fictional records in tests/fixtures/jobposting_import)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, query, run_cijobs
from warehouse import decompress_page

RECORDS = ROOT / "tests" / "fixtures" / "jobposting_import" / "records.jsonl"


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("import") / "w.duckdb"
    return db, run_cijobs("import", "jobposting", str(RECORDS), "--db", str(db)).stdout


def test_every_record_is_loaded_or_counted_and_kept(imported):
    db, output = imported
    assert "records 5, adverts new 3" in output and "parse errors 2" in output
    assert query(db, "SELECT count(*) FROM adverts WHERE source = 'jobposting-import'")[0][0] == 3
    archived = query(db, "SELECT parse_ok, count(*) FROM raw_pages GROUP BY parse_ok ORDER BY parse_ok")
    assert archived == [(False, 2), (True, 3)]
    assert query(db, "SELECT status, parse_errors, adverts_new FROM crawl_runs") == [("succeeded", 2, 3)]
    assert "jobposting-import" in run_cijobs("status", "--db", str(db)).stdout


def test_a_second_import_adds_nothing(imported, tmp_path):
    db, _ = imported
    before = query(db, "SELECT reference, content_hash FROM adverts ORDER BY reference")
    again = run_cijobs("import", "jobposting", str(RECORDS.with_suffix(".jsonl.gz")), "--db", str(db)).stdout
    assert "adverts new 0" in again and "unchanged 3" in again
    assert query(db, "SELECT reference, content_hash FROM adverts ORDER BY reference") == before


def test_pay_and_band_are_read_as_a_planner_needs_them(imported):
    db, _ = imported
    pay = {title: rest for title, *rest in query(
        db, "SELECT title, salary_text, salary_min, salary_max, salary_period, band FROM adverts")}
    assert pay["Clinical Systems Analyst"] == ["£37,338 - £44,962 per annum", 37338, 44962, "year", None]
    assert pay["Bank Clinical Coder"] == ["£10.50 - £15.00", 10.5, 15.0, "hour", "Band 4"]  # not the annualised YEAR
    assert pay["Data Analyst"][0] == "Competitive"


def test_free_text_criteria_are_found_with_their_levels_and_contacts_are_not(imported):
    db, _ = imported
    rows = query(db, """SELECT a.title, r.section, r.level, r.text FROM requirements r JOIN adverts a USING (advert_id)
                        ORDER BY a.title, r.text""")
    found = {(title, section, level, text) for title, section, level, text in rows}
    assert ("Clinical Systems Analyst", "person_specification", "desirable", "Experience of SQL reporting") in found
    # "Skills:" under "Essential criteria" keeps the level
    assert ("Clinical Systems Analyst", "person_specification", "essential",
            "Knowledge of HL7 FHIR interfaces") in found
    assert ("Clinical Systems Analyst", "duties", None, "Configure and test EPR forms with clinical teams") in found
    assert ("Bank Clinical Coder", "person_specification", "desirable",
            "Experience of OPCS-4 and ICD-10 would be an advantage.") in found
    assert not any("contact" in text.lower() or "closing date" in text.lower() for *_, text in found)


def test_no_contact_detail_reaches_the_warehouse_or_the_archive(imported):
    db, _ = imported
    texts = [str(v) for row in query(db, "SELECT * FROM adverts") for v in row if v is not None]
    texts += [decompress_page(body) for (body,) in query(db, "SELECT body FROM raw_pages")]
    texts += [text for (text,) in query(db, "SELECT text FROM requirements")]
    assert not any(re.search(r"sam\.rivers|northshire-ft|960\D{0,3}456|Sam Rivers", text) for text in texts)


@pytest.mark.parametrize("content, message", [("", "no JobPosting records"), ("{not json\n", "none of the 1 records")])
def test_a_file_with_nothing_to_import_is_an_error(tmp_path, content, message):
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    result = run_cijobs("import", "jobposting", str(path), "--db", str(tmp_path / "w.duckdb"), check=False)
    assert result.returncode != 0 and message in result.stderr


@pytest.mark.slow
def test_records_parsed_in_worker_processes_come_back_the_same_and_in_file_order(monkeypatch):
    from cijobs import importing

    monkeypatch.setattr(importing, "CHUNK_RECORDS", 2)  # five records: three chunks, so the workers start

    def parsed(workers: str) -> list[tuple]:
        monkeypatch.setenv(importing.IMPORT_WORKERS_VARIABLE, workers)
        return [(number, advert, page["reference"], page["parse_ok"], decompress_page(page["body"]), error)
                for number, advert, page, error in importing.parsed_records(RECORDS, "test", 1.0)]

    in_workers = parsed("2")
    assert [row[0] for row in in_workers] == [1, 2, 3, 4, 5]
    assert in_workers == parsed("1")

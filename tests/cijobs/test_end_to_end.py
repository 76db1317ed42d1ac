"""Sample board on a loopback port -> real spider -> warehouse -> matcher, checked against the board's own data."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import duckdb
import pytest

from crawler.spiders.nhsjobs import DEFAULT_KEYWORDS
from tests.conftest import run_cijobs

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b")


@pytest.fixture(scope="module")
def con(crawled_db):
    connection = duckdb.connect(str(crawled_db), read_only=True)
    yield connection
    connection.close()


def test_every_advert_the_search_finds_is_stored_once(con, sample_board):
    expected = sample_board.search_references(list(DEFAULT_KEYWORDS))
    stored = [r for (r,) in con.execute("SELECT reference FROM adverts").fetchall()]
    assert sorted(stored) == sorted(expected)
    assert len(expected) >= 30


def test_known_advert_fields(con, sample_board):
    row = con.execute(
        """SELECT title, employer, town, postcode, band, pay_scheme, salary_min, salary_max, salary_period,
                  contract_type, date_posted, closing_date, is_informatics
           FROM adverts WHERE reference = 'C9184-25-0511'"""
    ).fetchone()
    source = sample_board.by_reference("C9184-25-0511")
    assert row[:6] == (source["title"], source["employer"], "Leeds", "LS9 6QD", "Band 7", "Agenda for change")
    assert row[6:9] == (46148.0, 52809.0, "year")
    assert row[9] == "Permanent"
    assert (row[10], row[11]) == (source["date_posted"], source["closing_date"])
    assert row[12] is True


def test_person_specification_is_read_once_despite_duplicated_markup(con, sample_board):
    for reference in ("C9184-25-0511",):
        source = sample_board.by_reference(reference)
        expected = [(block["category"], level, text) for block in source["person_spec"]
                    for level in ("essential", "desirable") for text in block[level]]
        stored = con.execute(
            """SELECT category, level, text FROM requirements JOIN adverts USING (advert_id)
               WHERE reference = ? AND section = 'person_specification' ORDER BY position""", [reference]
        ).fetchall()
        assert sorted(stored) == sorted(expected)


def test_prose_sections_are_complete_not_cut_at_the_first_paragraph(con, sample_board):
    source = sample_board.by_reference("C9184-25-0511")
    duties = con.execute("SELECT duties FROM adverts WHERE reference = 'C9184-25-0511'").fetchone()[0]
    for paragraph in source["main_duties"]:
        assert paragraph[-40:] in duties


def test_informatics_flag_follows_the_board(con, sample_board):
    rows = con.execute("SELECT reference, is_informatics FROM adverts").fetchall()
    wrong = [ref for ref, flag in rows if flag != sample_board.by_reference(ref)["informatics"]]
    assert len(wrong) <= 2, wrong


def test_clinical_safety_advert_matches_the_expected_domains(con, sample_board):
    domains = {d for (d,) in con.execute(
        """SELECT DISTINCT dd.domain_id FROM advert_domain_demand dd JOIN adverts USING (advert_id)
           WHERE reference = 'C9184-25-0511'""").fetchall()}
    assert set(sample_board.by_reference("C9184-25-0511")["expected_domains"]) <= domains


def test_expected_domains_are_mostly_found_across_the_board(con, sample_board):
    found = {}
    for ref, domain in con.execute(
        "SELECT reference, domain_id FROM advert_domain_demand JOIN adverts USING (advert_id)"
    ).fetchall():
        found.setdefault(ref, set()).add(domain)
    expected = [(ref, d) for (ref,) in con.execute("SELECT reference FROM adverts WHERE is_informatics").fetchall()
                for d in sample_board.by_reference(ref).get("expected_domains", [])]
    hits = sum(d in found.get(ref, set()) for ref, d in expected)
    assert hits / len(expected) >= 0.7


def test_no_contact_details_anywhere_in_the_warehouse(con):
    from warehouse import decompress_page

    texts = []
    for table, columns in (("adverts", "title, employer, summary, duties, responsibilities, about_organisation"),
                           ("requirements", "text"), ("matches", "evidence")):
        for row in con.execute(f"SELECT {columns} FROM {table}").fetchall():
            texts.extend(str(value) for value in row if value is not None)
    for (body,) in con.execute("SELECT body FROM raw_pages").fetchall():
        texts.append(decompress_page(body))
    assert texts
    leaks = [m.group(0) for text in texts for m in (*EMAIL.finditer(text), *PHONE.finditer(text))]
    assert leaks == []
    assert not any("contact_details" in text or "hannah.okafor" in text for text in texts)


def test_a_second_crawl_adds_nothing_and_counts_unchanged(crawled_db, sample_site, tmp_path):
    before = duckdb.connect(str(crawled_db), read_only=True)
    counts = before.execute("SELECT (SELECT count(*) FROM adverts), (SELECT count(*) FROM requirements)").fetchone()
    before.close()
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(crawled_db.read_bytes())
    result = run_cijobs("crawl", "nhsjobs", "--base-url", sample_site.url, "--delay", "0", "--db", str(copy))
    assert "new 0" in result.stdout and f"unchanged {counts[0]}" in result.stdout
    after = duckdb.connect(str(copy), read_only=True)
    assert after.execute(
        "SELECT (SELECT count(*) FROM adverts), (SELECT count(*) FROM requirements)").fetchone() == counts
    assert after.execute("SELECT count(*) FROM crawl_runs WHERE status = 'succeeded'").fetchone()[0] == 2


def test_export_prints_one_json_object_per_advert(crawled_db, con):
    result = run_cijobs("export", "adverts", "--format", "jsonl", "--db", str(crawled_db))
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == con.execute("SELECT count(*) FROM adverts").fetchone()[0]
    safety = next(o for o in objects if o["reference"] == "C9184-25-0511")
    assert safety["title"] == "Clinical Safety Officer" and safety["requirements"]


EXPORT_KEYS = ["source", "reference", "url", "title", "employer", "town", "postcode", "band", "pay_scheme",
               "salary_min", "salary_max", "salary_period", "contract_type", "working_pattern", "date_posted",
               "closing_date", "first_seen", "last_seen", "status", "is_informatics", "summary", "duties",
               "responsibilities", "salary_text", "requirements"]


def test_jsonl_export_follows_the_contract(crawled_db):
    from datetime import date, datetime

    exported = run_cijobs("export", "adverts", "--db", str(crawled_db)).stdout
    objects = [json.loads(line) for line in exported.splitlines()]
    for advert in objects:
        assert list(advert) == EXPORT_KEYS
        date.fromisoformat(advert["date_posted"])
        datetime.fromisoformat(advert["first_seen"])
        assert advert["band"] is None or re.fullmatch(r"Band \d+[a-dA-D]?", advert["band"])
        assert advert["salary_min"] is None or isinstance(advert["salary_min"], (int, float))
        assert all(set(r) == {"category", "level", "text"} and r["level"] in ("essential", "desirable")
                   for r in advert["requirements"])


def test_csv_and_parquet_exports_hold_the_same_adverts(crawled_db, tmp_path):
    import pandas as pd

    run_cijobs("export", "adverts", "--format", "csv", "--output", str(tmp_path / "a.csv"), "--db", str(crawled_db))
    run_cijobs("export", "adverts", "--format", "parquet", "--output", str(tmp_path / "a.parquet"),
               "--db", str(crawled_db))
    csv_frame = pd.read_csv(tmp_path / "a.csv")
    parquet_frame = duckdb.sql(f"SELECT * FROM '{tmp_path / 'a.parquet'}'").df()
    assert list(csv_frame.columns) == list(parquet_frame.columns) == EXPORT_KEYS
    assert sorted(csv_frame["reference"]) == sorted(parquet_frame["reference"])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_to_a_place_that_cannot_be_written_says_so(crawled_db, tmp_path, fmt):
    for target, message in ((tmp_path / "missing" / f"a.{fmt}", "no such directory"),
                            (tmp_path, "is a directory")):
        result = run_cijobs("export", "adverts", "--format", fmt, "--output", str(target), "--db", str(crawled_db),
                            check=False)
        assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr


def test_demand_export_is_the_dashboards_query_under_the_same_filters(crawled_db):
    import warehouse
    from warehouse.demand import domain_demand
    from warehouse.filters import AdvertFilter

    exported = run_cijobs("export", "demand", "--format", "csv", "--level", "essential", "--band", "band 7",
                          "--db", str(crawled_db)).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    con = duckdb.connect(str(warehouse.readable_path(crawled_db)), read_only=True)
    wanted = domain_demand(con, AdvertFilter(level="essential", bands=("Band 7",)))  # as the warehouse spells it
    everyone = domain_demand(con, AdvertFilter())
    con.close()
    assert [(r["domain_id"], int(r["adverts_needing"])) for r in rows] == \
        [(r.domain_id, r.adverts_needing) for r in wanted.itertuples()]
    assert 0 < int(rows[0]["adverts"]) < everyone["adverts"].iloc[0]  # the filter narrowed it

    by_competency = [json.loads(line) for line in
                     run_cijobs("export", "demand", "--by", "competency", "--db", str(crawled_db)).stdout.splitlines()]
    assert {row["confidence"] for row in by_competency} <= {"seen", "inferred", "official"}  # provenance travels
    trend = [json.loads(line) for line in
             run_cijobs("export", "trend", "--period", "quarter", "--db", str(crawled_db)).stdout.splitlines()]
    assert all(date.fromisoformat(row["period"]).month in (1, 4, 7, 10) for row in trend)
    assert sum(row["adverts"] for row in trend if row["domain_id"] == "1") == everyone["adverts"].iloc[0]


@pytest.mark.parametrize("args, message", [
    (["demand", "--region", "Atlantis"], "--region 'Atlantis': the warehouse has no such value"),
    (["adverts", "--band", "Band 7"], "--band filters demand and trend"),
    (["trend", "--from", "2026-02-30"], "not a date"),
])
def test_export_filters_a_warehouse_does_not_know_are_errors_not_empty_tables(crawled_db, args, message):
    result = run_cijobs("export", *args, "--db", str(crawled_db), check=False)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""

"""The warehouse schema, its migrations and idempotent, all-or-nothing loads."""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

import warehouse
from warehouse import demand_facts
from warehouse.demand import domain_demand_over_time
from warehouse.filters import AdvertFilter
from warehouse.migrations import available_migrations


def _advert(reference: str, title: str = "Clinical Informatics Lead", closing: date = date(2026, 12, 31)) -> dict:
    return {
        "source": "nhsjobs", "reference": reference, "url": f"http://127.0.0.1/candidate/jobadvert/{reference}",
        "title": title, "employer": "Example Trust", "date_posted": date(2026, 11, 1), "closing_date": closing,
        "is_informatics": True, "salary_min": 46148.0, "salary_max": 52809.0, "salary_period": "year",
        "requirements": [
            {"section": "person_specification", "category": "Experience", "level": "essential",
             "text": "Experience of clinical risk management"},
            {"section": "person_specification", "category": "Skills", "level": "desirable", "text": "SQL"},
        ],
    }


def _counts(con) -> tuple[int, int]:
    return con.execute("SELECT (SELECT count(*) FROM adverts), (SELECT count(*) FROM requirements)").fetchone()


def test_migrations_build_an_empty_file_and_rerun_as_no_ops(tmp_path):
    path = tmp_path / "w.duckdb"
    con = warehouse.open_warehouse(path)
    applied = [row[0] for row in con.execute("SELECT name FROM schema_migrations ORDER BY version").fetchall()]
    assert applied == [name for _, name, _ in available_migrations()]
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"sources", "crawl_runs", "raw_pages", "adverts", "requirements", "framework_versions", "domains",
            "subdomains", "competencies", "matches"} <= tables
    con.close()
    again = warehouse.open_warehouse(path)
    assert again.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(applied)
    again.close()


def _first_migration_only(path):
    con = duckdb.connect(str(path))
    version, name, sql = available_migrations()[0]
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    con.execute(sql)
    con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    return con


def test_an_older_file_is_upgraded_without_losing_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    con = _first_migration_only(path)
    con.execute("""INSERT INTO adverts (source, reference, url, title, content_hash, first_seen, last_seen, status,
                                        is_informatics, informatics_score)
                   VALUES ('nhsjobs', 'OLD-1', 'http://127.0.0.1/x', 'Data Analyst', 'h', now(), now(), 'open',
                           true, 2.0)""")
    con.close()
    upgraded = warehouse.open_warehouse(path)
    assert upgraded.execute("SELECT reference, title FROM adverts").fetchall() == [("OLD-1", "Data Analyst")]
    assert upgraded.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(available_migrations())
    upgraded.close()


def test_read_only_open_refuses_a_schema_that_needs_upgrading(tmp_path):
    path = tmp_path / "old.duckdb"
    _first_migration_only(path).close()
    with pytest.raises(warehouse.WarehouseError, match="older than this cijobs"):
        warehouse.open_read_only(path)


def test_reloading_the_same_adverts_adds_no_duplicates(tmp_path):
    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    adverts = [_advert("A-1"), _advert("A-2")]
    first = warehouse.load_adverts(con, adverts, seen_at=datetime(2026, 11, 1, 9))
    second = warehouse.load_adverts(con, adverts, seen_at=datetime(2026, 11, 2, 9))
    assert (first.new, first.unchanged) == (2, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    assert _counts(con) == (2, 4)
    first_seen, last_seen = con.execute("SELECT first_seen, last_seen FROM adverts WHERE reference = 'A-1'").fetchone()
    assert (first_seen, last_seen) == (datetime(2026, 11, 1, 9), datetime(2026, 11, 2, 9))


def test_a_changed_advert_is_updated_in_place_with_fresh_requirements(tmp_path):
    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    warehouse.load_adverts(con, [_advert("A-1")])
    changed = _advert("A-1", title="Senior Clinical Informatics Lead")
    changed["requirements"] = changed["requirements"][:1]
    counts = warehouse.load_adverts(con, [changed])
    assert counts.updated == 1
    assert _counts(con) == (1, 1)
    assert con.execute("SELECT title FROM adverts").fetchone()[0] == "Senior Clinical Informatics Lead"


def test_adverts_past_their_closing_date_are_closed(tmp_path):
    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    counts = warehouse.load_adverts(con, [_advert("A-1", closing=date(2026, 11, 10)), _advert("A-2")],
                                    seen_at=datetime(2026, 11, 20))
    assert counts.closed == 1
    assert con.execute("SELECT reference, status FROM adverts ORDER BY reference").fetchall() == [
        ("A-1", "closed"), ("A-2", "open")]


def test_a_failed_load_leaves_the_warehouse_as_it_was(tmp_path):
    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    warehouse.load_adverts(con, [_advert("A-1")])
    broken = _advert("A-2")
    broken["title"] = None  # title is NOT NULL: the whole batch must roll back
    with pytest.raises(duckdb.Error):
        warehouse.load_adverts(con, [_advert("A-3"), broken])
    assert _counts(con) == (1, 2)


def test_an_advert_read_twice_in_one_crawl_is_loaded_once_as_last_read(tmp_path):
    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    first, again = _advert("C9000-26-0001"), _advert("C9000-26-0001", title="Clinical Informatics Lead (updated)")
    again["requirements"] = again["requirements"][:1]
    warehouse.load_adverts(con, [first, again])
    assert con.execute("SELECT title FROM adverts").fetchall() == [("Clinical Informatics Lead (updated)",)]
    assert _counts(con) == (1, 1)
    con.close()


def test_trend_by_quarter_adds_up_its_months_and_stock_counts_every_open_period(crawled_db):
    con = duckdb.connect(str(warehouse.readable_path(crawled_db)), read_only=True)
    monthly = domain_demand_over_time(con, AdvertFilter(), "new", "month")
    quarterly = domain_demand_over_time(con, AdvertFilter(), "new", "quarter")
    stock = domain_demand_over_time(con, AdvertFilter(), "stock", "quarter")
    posted = con.execute("SELECT count(*) FROM advert_facts f WHERE " + AdvertFilter().where("f")[0],
                         AdvertFilter().where("f")[1]).fetchone()[0]
    con.close()
    assert quarterly.drop_duplicates("period")["adverts"].sum() == posted > 0  # each advert in one quarter
    monthly["quarter"] = monthly["period"].dt.to_period("Q").dt.start_time
    by_quarter = monthly.groupby(["quarter", "domain_id"])["adverts_needing"].sum()
    assert {(q, d): n for (q, d), n in by_quarter.items() if n} == \
        {(r.period, r.domain_id): r.adverts_needing for r in quarterly.itertuples() if r.adverts_needing}
    both = quarterly.merge(stock, on=["period", "domain_id"], suffixes=("_new", "_stock"))
    assert (both["adverts_stock"] >= both["adverts_new"]).all()  # open in the quarter includes posted in it
    assert both["adverts_stock"].sum() > both["adverts_new"].sum()  # some adverts stay open past their quarter
    with pytest.raises(ValueError, match="period must be one of"):
        domain_demand_over_time(duckdb.connect(), AdvertFilter(), "new", "week")


def test_a_warehouse_from_a_newer_cijobs_is_refused_for_reading_and_writing(tmp_path):
    from tests.conftest import run_cijobs

    db = tmp_path / "w.duckdb"
    warehouse.open_warehouse(db).close()
    con = duckdb.connect(str(db))
    newest = max(version for version, _, _ in available_migrations())
    con.execute("INSERT INTO schema_migrations VALUES (?, '999_from_the_future.sql', now())", [newest + 1])
    con.close()
    for open_it in (warehouse.open_warehouse, warehouse.open_read_only):
        with pytest.raises(warehouse.WarehouseError, match=f"newer cijobs \\(warehouse schema {newest + 1}, this "
                                                           f"cijobs knows up to {newest}\\)"):
            open_it(db)
    result = run_cijobs("status", "--db", str(db), check=False)
    assert result.returncode != 0 and "newer cijobs" in result.stderr and "Traceback" not in result.stderr


def test_a_month_with_no_adverts_is_a_gap_in_the_trend_not_a_line_joined_across_it(tmp_path):
    db = tmp_path / "w.duckdb"
    con = warehouse.open_warehouse(db)
    january, march = _advert("G0001-26-0001"), _advert("G0001-26-0003")
    january.update(date_posted=date(2026, 1, 10), closing_date=date(2026, 1, 20))
    march.update(date_posted=date(2026, 3, 10), closing_date=date(2026, 3, 20))
    warehouse.load_adverts(con, [january, march], today=date(2026, 1, 1))
    from matching.framework import load_framework

    warehouse.store_framework(con, load_framework())
    demand_facts.rebuild(con)  # what publishing does: the demand queries read the published facts
    trend = domain_demand_over_time(con, AdvertFilter(informatics_only=False), "new", "month")
    con.close()
    months = trend.drop_duplicates("period").set_index("period")["adverts"]
    assert list(months.index.month) == [1, 2, 3] and list(months) == [1, 0, 1]
    assert trend[trend["period"].dt.month == 2]["share"].isna().all()


def test_an_internal_only_advert_reaches_no_dashboard_query(tmp_path):
    from warehouse import demand

    db = tmp_path / "w.duckdb"
    con = warehouse.open_warehouse(db)
    public, internal = _advert("P0001-26-0001", "Clinical Systems Analyst"), _advert("I0001-26-0001", "Secret Lead")
    internal["internal_only"] = True
    warehouse.load_adverts(con, [public, internal])
    internal_id = con.execute("SELECT advert_id FROM adverts WHERE reference = 'I0001-26-0001'").fetchone()[0]
    assert "Secret Lead" not in demand.informatics_titles(con)
    assert "Secret Lead" not in set(demand.advert_choices(con)["title"])
    assert demand.advert_requirements(con, internal_id) == []
    assert demand.peer_demand(con, AdvertFilter(), ("Secret Lead",))["adverts"] == 0
    con.close()


def _page(reference: str, html: str) -> dict:
    return {"url": f"https://example.org/jobadvert/{reference}", "source": "nhsjobs", "reference": reference,
            "fetched_at": datetime(2026, 11, 1), "http_status": 200, "body": warehouse.compress_page(html),
            "parse_ok": True, "parse_error": None}


def test_pages_load_in_batches_and_each_is_archived_once(tmp_path, monkeypatch):
    """A crawl's pages stream into the warehouse a batch at a time (never all in memory): every page of every
    batch is archived, and the same page met again is not stored twice."""
    from warehouse import adverts as adverts_module

    monkeypatch.setattr(adverts_module, "PAGE_BATCH", 2)
    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    try:
        pages = (_page(f"C1-{n}", f"<html>advert {n}</html>") for n in range(5))  # a generator, read once
        loaded = warehouse.load_adverts(con, [_advert("C1-0")], pages)
        assert loaded.raw_pages == 5
        again = warehouse.archive_pages(con, (_page(f"C1-{n}", f"<html>advert {n}</html>") for n in range(6)))
        assert again == 1 and con.execute("SELECT count(*) FROM raw_pages").fetchone()[0] == 6
    finally:
        con.close()


def _linked(con) -> list[tuple[str, str]]:
    return con.execute("""SELECT later.reference, first.reference FROM adverts later
                          JOIN adverts first ON later.duplicate_of = first.advert_id ORDER BY 1""").fetchall()


def test_a_repost_is_linked_whichever_batch_brings_it_and_in_whatever_order(tmp_path):
    from datetime import timedelta

    con = warehouse.open_warehouse(tmp_path / "w.duckdb")
    original = _advert("A0001-26-0001")
    repost = {**_advert("A0001-26-0002"), "date_posted": original["date_posted"] + timedelta(days=21)}
    unrelated = {**_advert("A0001-26-0003", title="Data Analyst")}
    too_late = {**_advert("A0001-26-0004"), "date_posted": original["date_posted"] + timedelta(days=100)}
    counts = warehouse.load_adverts(con, [repost], today=date(2026, 1, 1))
    assert counts.duplicates == 0
    # the original reaches a later batch than its re-post: the re-post is linked to it then
    counts = warehouse.load_adverts(con, [original, unrelated], today=date(2026, 1, 1))
    assert counts.duplicates == 1 and _linked(con) == [("A0001-26-0002", "A0001-26-0001")]
    # a batch of other adverts links nothing more; a re-post past the window is not linked
    assert warehouse.load_adverts(con, [unrelated, too_late], today=date(2026, 1, 1)).duplicates == 0
    # a changed person specification is a different post
    changed = {**repost, "requirements": [{"section": "person_specification", "category": "Skills",
                                           "level": "essential", "text": "Python"}]}
    fresh = {**changed, "reference": "A0001-26-0005", "date_posted": repost["date_posted"] + timedelta(days=7)}
    warehouse.load_adverts(con, [changed, fresh], today=date(2026, 1, 1))
    assert ("A0001-26-0005", "A0001-26-0002") in _linked(con)
    con.close()

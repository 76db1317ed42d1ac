"""Honest small numbers: a share comes with the adverts it rests on and its 95 % interval, is not shown when
it rests on fewer than the minimum, and an empty selection is said as such (in `export` and on the page)."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from cijobs.config import FiguresSection
from dashboard import ids
from dashboard.filters import store_filters
from tests.conftest import run_cijobs
from tests.dashboard.callbacks import callback_response
from warehouse.small_numbers import wilson_interval

EMPLOYER = "Northmoor Teaching Hospitals NHS Foundation Trust"  # a handful of adverts on the sample board


def test_wilson_interval_matches_the_textbook_values():
    low, high = wilson_interval([0, 5, 10], [10, 10, 10])
    assert [round(x, 3) for x in low] == [0.0, 0.237, 0.722]
    assert [round(x, 3) for x in high] == [0.278, 0.763, 1.0]


def test_export_gives_every_share_its_n_and_interval(crawled_db):
    rows = [json.loads(line) for line in run_cijobs("export", "demand", "--all-adverts", "--db",
                                                     str(crawled_db)).stdout.splitlines()]
    for row in rows:
        assert row["adverts"] >= 10 and not row["suppressed"] and row["note"] == ""
        assert row["share_low"] <= row["share"] <= row["share_high"]


def test_export_leaves_out_shares_resting_on_too_few_adverts(crawled_db):
    text = run_cijobs("export", "demand", "--all-adverts", "--employer", EMPLOYER, "--format", "csv",
                      "--db", str(crawled_db)).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(r["share"] == "" and r["share_low"] == "" and r["suppressed"] == "True" for r in rows)
    assert all(r["note"] == "share not shown: fewer than 10 adverts" and r["adverts_needing"] for r in rows)
    lowered = run_cijobs("export", "demand", "--all-adverts", "--employer", EMPLOYER, "--min-adverts", "1",
                         "--db", str(crawled_db)).stdout
    assert all(json.loads(line)["share"] is not None for line in lowered.splitlines())


@pytest.mark.parametrize("what", ["demand", "trend"])
def test_an_export_with_no_adverts_is_an_error_not_a_table_of_zeros(crawled_db, what):
    result = run_cijobs("export", what, "--from", "1990-01-01", "--to", "1990-12-31", "--db", str(crawled_db),
                        check=False)
    assert result.returncode != 0 and "no adverts match these filters" in result.stderr and not result.stdout


def _render(client, output: str, filters: dict, *extra_inputs: dict) -> str:
    """What the dashboard sends back for the callback that fills ``output`` when the filters change, as JSON text."""
    return json.dumps(callback_response(client, output, [{"id": ids.FILTERS, "property": "data", "value": filters},
                                              *extra_inputs]))


@pytest.mark.parametrize("output, extra", [(f"{ids.DOMAIN_DEMAND_TABLE_HOLDER}.children", ()),
                                           (f"{ids.COMPETENCY_TABLE_HOLDER}.children",
                                            ({"id": ids.DRILL_DOMAIN, "property": "value", "value": "2"},))])
def test_the_pages_say_why_a_share_is_not_shown(crawled_db, output, extra):
    from dashboard.app import create_app

    client = create_app(crawled_db).server.test_client()
    assert client.get("/").status_code == 200
    everything = _render(client, output, store_filters(None, None, [], [], [], [], [], "any", False), *extra)
    assert "n=" in everything and "not shown" not in everything
    one_employer = _render(client, output, store_filters(None, None, [], [], [], [EMPLOYER], [], "any", False), *extra)
    assert re.search(r"not shown: [1-9] adverts? \(fewer than 10\)", one_employer)
    lenient = create_app(crawled_db, FiguresSection(min_adverts=1)).server.test_client()  # [figures] min_adverts = 1
    assert lenient.get("/").status_code == 200
    shown = _render(lenient, output, store_filters(None, None, [], [], [], [EMPLOYER], [], "any", False), *extra)
    assert "not shown" not in shown and "n=" in shown


def test_the_employer_comparison_keeps_the_market_whole_and_counts_under_the_filters(crawled_db):
    from dashboard.app import create_app

    client = create_app(crawled_db).server.test_client()
    assert client.get("/").status_code == 200
    with_employer = store_filters(None, None, [], [], [], [EMPLOYER], [], "any", False)
    chart = json.loads(_render(client, f"{ids.EMPLOYER_CHART}.figure", with_employer,
                               {"id": ids.EMPLOYER_A, "property": "value", "value": EMPLOYER},
                               {"id": ids.EMPLOYER_B, "property": "value", "value": None}))
    bars = {bar["name"]: bar for bar in chart[ids.EMPLOYER_CHART]["figure"]["data"]}
    market = next(name for name in bars if name.startswith("market"))
    assert int(re.search(r"\((\d+) adverts\)", market).group(1)) > 10  # the market, not the employer again
    assert any(name.startswith(EMPLOYER) and "too few for shares" in name for name in bars)
    bands = store_filters(None, None, [], ["Band 7"], [], [], [], "any", False)
    options = json.loads(_render(client, f"{ids.EMPLOYER_A}.options", bands))
    everything = json.loads(_render(client, f"{ids.EMPLOYER_A}.options", store_filters(None, None, [], [], [], [], [],
                                                                                "any", False)))
    count = lambda answer: sum(int(re.search(r"\((\d+)\)$", o["label"]).group(1))  # noqa: E731
                               for o in answer[ids.EMPLOYER_A]["options"])
    assert 0 < count(options) < count(everything)


def test_the_pay_page_shows_yearly_pay_by_band_and_keeps_hourly_rates_apart(crawled_db):
    import duckdb

    import warehouse
    from dashboard.app import create_app
    from warehouse.demand import pay_by
    from warehouse.filters import AdvertFilter

    con = duckdb.connect(str(warehouse.readable_path(crawled_db)), read_only=True)
    try:
        bands = pay_by(con, AdvertFilter(informatics_only=False), "band")
        yearly = con.execute("SELECT count(*) FROM advert_facts WHERE duplicate_of IS NULL "
                             "AND salary_period = 'year'").fetchone()[0]
    finally:
        con.close()
    assert bands["adverts"].sum() == yearly > 0
    shown = bands[bands["adverts"] >= 10]
    assert (shown["q1"] <= shown["median"]).all() and (shown["median"] <= shown["q3"]).all()
    client = create_app(crawled_db).server.test_client()
    assert client.get("/pay").status_code == 200
    everything = store_filters(None, None, [], [], [], [], [], "any", False)
    table = _render(client, f"{ids.PAY_TABLE_HOLDER}.children", everything,
                    {"id": ids.PAY_GROUP, "property": "value", "value": "band"})
    assert "Median" in table and "Band" in table
    assert ("not shown (fewer than 10)" in table) == bool((bands["adverts"] < 10).any())


def test_the_methodology_page_states_sources_accuracy_rules_and_columns(crawled_db):
    from dashboard.app import create_app

    client = create_app(crawled_db).server.test_client()
    page = client.get("/_dash-layout")
    assert page.status_code == 200 and client.get("/methodology").status_code == 200
    informatics = store_filters(None, None, [], [], [], [], [], "any", True)
    text = _render(client, f"{ids.METHOD_ACCURACY}.children", informatics)
    assert "competency F1" in text and "real 2020 adverts" in text
    framework = _render(client, f"{ids.METHOD_FRAMEWORK}.children", informatics)
    assert "reconstructed by cijobs" in framework and "inferred" in framework


def test_the_profiler_compares_with_enough_similar_adverts_and_lists_them(tmp_path):
    import warehouse
    from cijobs.matching_job import match_warehouse
    from dashboard.app import create_app
    from matching.framework import load_framework

    db = tmp_path / "w.duckdb"
    con = warehouse.open_warehouse(db)
    adverts = [{"source": "nhsjobs", "reference": f"S{n:04d}-26-0001", "url": f"http://127.0.0.1/{n}",
                "title": "Clinical Safety Officer" if n % 3 else "Senior Clinical Safety Officer",
                "employer": f"Trust {n}", "date_posted": date(2026, 10, 1 + n), "closing_date": date(2026, 12, 31),
                "is_informatics": True, "requirements": [
                    {"section": "person_specification", "category": "Experience", "level": "essential",
                     "text": "Experience of DCB0129 and DCB0160 clinical risk management"},
                    {"section": "duties", "category": None, "level": None,
                     "text": "Maintain the hazard log and safety case for the EPR"}]} for n in range(12)]
    warehouse.load_adverts(con, adverts)
    con.close()
    match_warehouse(db, framework=load_framework())
    warehouse.publish(db)
    client = create_app(db).server.test_client()
    assert client.get("/profiler").status_code == 200
    callback = next(c for c in client.get("/_dash-dependencies").get_json()
                    if f"{ids.PROFILER_RESULT}.children" in c["output"])
    values = {"profiler-run.n_clicks": 1, f"{ids.PROFILER_UPLOAD}.contents": None, f"{ids.PROFILER_ADVERT}.value": None,
              f"{ids.PROFILER_UPLOAD}.filename": None, f"{ids.PROFILER_TITLE}.value": "Clinical Safety Officer",
              f"{ids.PROFILER_TEXT}.value": "Essential\nExperience of SQL reporting\nExperience of DCB0129 hazard logs",
              f"{ids.FILTERS}.data": store_filters(None, None, [], [], [], [], [], "any", True)}
    props = lambda items: [{**item, "value": values[f"{item['id']}.{item['property']}"]} for item in items]  # noqa: E731
    payload = {"output": callback["output"], "changedPropIds": [f"{ids.PROFILER_RUN}.n_clicks"],
               "outputs": [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
                           for part in callback["output"].strip(".").split("...")],
               "inputs": props(callback["inputs"]), "state": props(callback["state"])}
    answer = client.post("/_dash-update-component", json=payload)
    assert answer.status_code == 200
    result = json.dumps(answer.get_json()["response"][ids.PROFILER_RESULT])
    assert "Compared with 12 informatics adverts" in result
    for title, count in (("Clinical Safety Officer", 8), ("Senior Clinical Safety Officer", 4)):  # links to its adverts
        assert (f'"children": "{title}", "href": "/adverts?search={title.replace(" ", "+")}"' in result
                and f'" ({count})"' in result), result
    assert "Most similar adverts ask; this one does not" in result and "data:text/csv" in result

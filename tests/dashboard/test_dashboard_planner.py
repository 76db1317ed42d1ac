"""What a workforce planner asks of the dashboard: demand by region, year on year, date presets, links that
carry the filters, and downloads that say what they are."""
from __future__ import annotations

import base64
import csv
import io
import json
from urllib.parse import parse_qs

import pytest

from dashboard import ids
from dashboard.filters import preset_dates, store_filters
from dashboard.shared_url import controls_from_query, query_string
from tests.conftest import query
from tests.dashboard.callbacks import callback_response

ALL_ADVERTS = store_filters(None, None, [], [], [], [], [], "any", False)


@pytest.fixture(scope="module")
def client(crawled_db):
    from dashboard.app import create_app

    client = create_app(crawled_db).server.test_client()
    assert client.get("/").status_code == 200
    return client


def test_the_region_map_gives_every_region_a_tile_and_the_warehouse_counts(client, crawled_db):
    answer = callback_response(client, f"{ids.REGIONS_MAP}.figure",
                       [{"id": ids.FILTERS, "property": "data", "value": ALL_ADVERTS},
                        {"id": ids.REGIONS_DOMAIN, "property": "value", "value": "2"}])
    tiles = [(hover.split(":")[0], text) for trace in answer[ids.REGIONS_MAP]["figure"]["data"]
             for hover, text in zip(trace["hovertext"], trace["text"])]
    assert len(tiles) == 10  # seven NHS England regions and three devolved nations
    per_region = dict(query(crawled_db, "SELECT region, count(*) FROM advert_facts WHERE duplicate_of IS NULL "
                                        "GROUP BY region"))
    for region, tile in tiles:
        adverts = per_region.get(region, 0)
        if adverts >= 10:
            assert f"n={adverts})" in tile
        else:  # the small-number rule: no share on fewer than 10 adverts, and the tile says why
            assert ("too few" in tile or "no adverts" in tile) and "%" not in tile
    table = json.dumps(answer[ids.REGIONS_TABLE_HOLDER])
    assert "Unknown" in table


def test_year_on_year_compares_the_12_months_to_the_newest_advert_with_the_12_before(client, crawled_db):
    answer = callback_response(client, f"{ids.YEAR_ON_YEAR_HOLDER}.children",
                       [{"id": ids.FILTERS, "property": "data", "value": ALL_ADVERTS}])
    scope = answer[ids.YEAR_ON_YEAR_SCOPE]["children"]
    newest = query(crawled_db, "SELECT max(date_posted) FROM advert_facts")[0][0]
    assert f"to {newest}" in scope and "against" in scope
    table = json.dumps(answer[ids.YEAR_ON_YEAR_HOLDER])
    assert table.count("points") + table.count("not compared") == 6  # one row a domain


def test_a_download_records_its_filters_and_the_data_version(client, crawled_db):
    band = query(crawled_db, "SELECT band FROM advert_facts WHERE band IS NOT NULL LIMIT 1")[0][0]
    filters = store_filters(None, None, [], [band], [], [], [], "any", False)
    answer = callback_response(client, f"{ids.PAY_DOWNLOAD}.data",
                       [{"id": ids.download_button(ids.PAY_DOWNLOAD), "property": "n_clicks", "value": 1}],
                       [{"id": ids.FILTERS, "property": "data", "value": filters},
                        {"id": ids.PAY_GROUP, "property": "value", "value": "band"}])
    download = answer[ids.PAY_DOWNLOAD]["data"]
    content = base64.b64decode(download["content"]).decode() if download.get("base64") else download["content"]
    rows = list(csv.DictReader(io.StringIO(content)))
    matcher = query(crawled_db, "SELECT value FROM warehouse_state WHERE key = 'matcher_version'")[0][0]
    assert rows and all(row["filters"] == f"all adverts; band: {band}" for row in rows)
    assert all(f"matcher {matcher}" in row["data_version"] and "data to " in row["data_version"] for row in rows)


def test_the_filters_round_trip_through_the_query_string():
    filters = store_filters("2025-03-01", "2025-12-31", ["London"], ["Band 8a", "Band 8b"], [], ["A & B Trust"], [],
                            "essential", False)
    text = query_string(filters, "2024-01-01", "2025-12-31")
    assert parse_qs(text[1:]) == {"from": ["2025-03-01"], "region": ["London"], "band": ["Band 8a", "Band 8b"],
                                  "employer": ["A & B Trust"], "level": ["essential"], "all": ["1"]}
    controls = controls_from_query(text, "2024-01-01", "2025-12-31")
    again = store_filters(controls["date_from"], controls["date_to"], controls["region"], controls["band"],
                          controls["role_family"], controls["employer"], controls["source"], controls["level"],
                          controls["informatics_only"])
    assert again == filters
    assert query_string(store_filters("2024-01-01", "2025-12-31", [], [], [], [], [], "any", True),
                        "2024-01-01", "2025-12-31") == ""  # the defaults make a plain link
    broken = controls_from_query("?from=2025-02-30&level=everything", "2024-01-01", "2025-12-31")
    assert broken["date_from"] == "2024-01-01" and broken["level"] == "any"


@pytest.mark.parametrize("preset, expected", [
    ("all", ("2019-06-01", "2020-11-30")),
    ("last-12-months", ("2019-12-02", "2020-11-30")),
    ("this-year", ("2020-01-01", "2020-11-30")),
    ("last-year", ("2019-06-01", "2019-12-31")),  # never before the first advert
])
def test_date_presets_count_back_from_the_newest_advert(preset, expected):
    assert preset_dates(preset, "2019-06-01", "2020-11-30") == expected


def test_an_advert_page_shows_its_facts_and_every_line_with_what_it_matched(client, crawled_db):
    import dash

    from dashboard.app import create_app

    advert_id, title, lines, matched = query(crawled_db, """
        SELECT a.advert_id, a.title, count(DISTINCT r.requirement_id), count(DISTINCT m.requirement_id)
        FROM advert_facts a JOIN requirements r USING (advert_id) LEFT JOIN current_matches m USING (requirement_id)
        GROUP BY ALL HAVING count(DISTINCT m.requirement_id) > 0 ORDER BY a.advert_id LIMIT 1""")[0]
    app = create_app(crawled_db)
    # the page as Dash registered it (importing its module again would register the page twice)
    layout = next(page["layout"] for page in dash.page_registry.values() if page["path"] == "/advert")
    with app.server.test_request_context():
        page = json.dumps(layout(id=str(advert_id)).to_plotly_json(), default=str)
        missing = json.dumps(layout(id="999999").to_plotly_json(), default=str)
        nonsense = json.dumps(layout(id="1 OR 1=1").to_plotly_json(), default=str)
    assert title in page and f"{matched} of {lines} requirement lines matched" in page
    assert " ~ " in page  # the words behind a match
    assert "No such published advert" in missing and "No such published advert" in nonsense
    answer = callback_response(client, f"{ids.ADVERTS_TABLE}.data",
                       [{"id": ids.FILTERS, "property": "data", "value": ALL_ADVERTS},
                        {"id": ids.ADVERTS_SEARCH, "property": "value", "value": title},
                        {"id": ids.ADVERTS_CLOSED, "property": "value", "value": True},
                        {"id": ids.ADVERTS_TABLE, "property": "page_current", "value": 0},
                        {"id": ids.ADVERTS_TABLE, "property": "sort_by", "value": []}])
    references = [row["reference"] for row in answer[ids.ADVERTS_TABLE]["data"]]
    assert any(f"(</advert?id={advert_id}>)" in reference for reference in references), references


def test_the_overview_lists_the_top_employers_and_titles_under_the_filters(client, crawled_db):
    answer = callback_response(client, f"{ids.TOP_EMPLOYERS}.children",
                       [{"id": ids.FILTERS, "property": "data", "value": ALL_ADVERTS}])
    (employer, count), = query(crawled_db, "SELECT employer, count(*) AS n FROM advert_facts GROUP BY ALL "
                                           "ORDER BY n DESC, employer LIMIT 1")
    first_row = answer[ids.TOP_EMPLOYERS]["children"]["props"]["children"][1]["props"]["children"][0]
    assert [cell["props"]["children"] for cell in first_row["props"]["children"]] == [employer, str(count)]
    assert ids.TOP_TITLES_TABLE in json.dumps(answer[ids.TOP_TITLES])


def test_pay_by_domain_counts_an_advert_in_each_domain_it_needs(client, crawled_db):
    answer = callback_response(client, f"{ids.PAY_TABLE_HOLDER}.children",
                       [{"id": ids.FILTERS, "property": "data", "value": ALL_ADVERTS},
                        {"id": ids.PAY_GROUP, "property": "value", "value": "domain"}])
    table = json.dumps(answer[ids.PAY_TABLE_HOLDER])
    for domain_id, yearly in query(crawled_db, """
            SELECT n.domain_id, count(DISTINCT f.advert_id) FILTER (WHERE f.salary_period = 'year')
            FROM advert_facts f JOIN advert_needs n USING (advert_id) GROUP BY ALL"""):
        row = table[table.index(f'"{domain_id} '):]
        assert f'"children": "{yearly}"' in row[:row.index('"Tr"') if '"Tr"' in row else len(row)], (domain_id, yearly)

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

ALL_ADVERTS = store_filters(None, None, [], [], [], [], [], "any", False)


def _callback(client, output: str, inputs: list[dict], state: list[dict] = ()) -> dict:
    """The JSON a Dash callback that fills ``output`` answers, as the browser would ask for it."""
    spec = next(c for c in client.get("/_dash-dependencies").get_json() if output in c["output"])
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in spec["output"].strip(".").split("...")]
    payload = {"output": spec["output"], "outputs": outputs if spec["output"].startswith("..") else outputs[0],
               "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"], "inputs": inputs,
               "state": list(state)}
    answer = client.post("/_dash-update-component", json=payload)
    assert answer.status_code == 200, answer.data[:500]
    return answer.get_json()["response"]


@pytest.fixture(scope="module")
def client(crawled_db):
    from dashboard.app import create_app

    client = create_app(crawled_db).server.test_client()
    assert client.get("/").status_code == 200
    return client


def test_the_region_map_gives_every_region_a_tile_and_the_warehouse_counts(client, crawled_db):
    answer = _callback(client, f"{ids.REGIONS_MAP}.figure",
                       [{"id": ids.FILTERS, "property": "data", "value": ALL_ADVERTS},
                        {"id": ids.REGIONS_DOMAIN, "property": "value", "value": "2"}])
    tiles = [text for trace in answer[ids.REGIONS_MAP]["figure"]["data"] for text in trace["text"]]
    assert len(tiles) == 10  # seven NHS England regions and three devolved nations
    per_region = dict(query(crawled_db, "SELECT region, count(*) FROM advert_facts WHERE duplicate_of IS NULL "
                                        "GROUP BY region"))
    for tile in tiles:
        region = tile.split("<br>")[0]
        adverts = per_region.get(region, 0)
        if adverts >= 10:
            assert f"n={adverts})" in tile
        else:  # the small-number rule: no share on fewer than 10 adverts, and the tile says why
            assert ("too few" in tile or "no adverts" in tile) and "%" not in tile
    table = json.dumps(answer[ids.REGIONS_TABLE_HOLDER])
    assert "Unknown" in table


def test_year_on_year_compares_the_12_months_to_the_newest_advert_with_the_12_before(client, crawled_db):
    answer = _callback(client, f"{ids.YEAR_ON_YEAR_HOLDER}.children",
                       [{"id": ids.FILTERS, "property": "data", "value": ALL_ADVERTS}])
    scope = answer[ids.YEAR_ON_YEAR_SCOPE]["children"]
    newest = query(crawled_db, "SELECT max(date_posted) FROM advert_facts")[0][0]
    assert f"to {newest}" in scope and "against" in scope
    table = json.dumps(answer[ids.YEAR_ON_YEAR_HOLDER])
    assert table.count("points") + table.count("not compared") == 6  # one row a domain


def test_a_download_records_its_filters_and_the_data_version(client, crawled_db):
    band = query(crawled_db, "SELECT band FROM advert_facts WHERE band IS NOT NULL LIMIT 1")[0][0]
    filters = store_filters(None, None, [], [band], [], [], [], "any", False)
    answer = _callback(client, f"{ids.PAY_DOWNLOAD}.data",
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

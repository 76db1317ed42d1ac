"""Reference data kept in the warehouse: postcode areas to regions, and role families by title.

Both live as data files in ``warehouse/data``; they are written into the warehouse (the
``postcode_regions`` table and the ``advert_facts`` view) only when the files changed, so
opening the warehouse does not touch it otherwise.
"""
from __future__ import annotations

import csv
import hashlib
import io
from importlib import resources

import duckdb
import yaml

from warehouse.transactions import transaction

STATE_KEY = "reference_data"
VIEW_VERSION = "3"  # bump when advert_facts_sql changes, so existing warehouses get the new view
_POSTCODE_AREA = r"^([A-Z]{1,2})[0-9]"


def _files() -> tuple[str, str]:
    folder = resources.files("warehouse") / "data"
    return ((folder / "postcode_regions.csv").read_text(encoding="utf-8"),
            (folder / "role_families.yaml").read_text(encoding="utf-8"))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def advert_facts_sql(role_families: list[dict]) -> str:
    """The advert_facts view: adverts with region, postcode area and role family (from trusted data files)."""
    cases = "\n".join(
        f"            WHEN regexp_matches(lower(a.title), {_sql_string(item['pattern'])}) "
        f"THEN {_sql_string(item['family'])}"
        for item in role_families
    )
    return f"""
        CREATE OR REPLACE VIEW advert_facts AS
        SELECT a.*,
               regexp_extract(upper(a.postcode), '{_POSTCODE_AREA}', 1) AS postcode_area,
               coalesce(pr.region, 'Unknown') AS region,
               CASE
{cases}
                   ELSE 'Other'
               END AS role_family
        FROM adverts a
        LEFT JOIN postcode_regions pr ON pr.area = regexp_extract(upper(a.postcode), '{_POSTCODE_AREA}', 1)
        WHERE NOT coalesce(a.internal_only, false)
    """


def refresh_reference_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Write the reference data into the warehouse if the bundled files changed; True when written."""
    regions_csv, families_yaml = _files()
    digest = hashlib.sha256((VIEW_VERSION + regions_csv + families_yaml).encode()).hexdigest()[:16]
    stored = con.execute("SELECT value FROM warehouse_state WHERE key = ?", [STATE_KEY]).fetchone()
    if stored and stored[0] == digest:
        return False
    import pandas as pd  # only when writing: opening the warehouse (e.g. `cijobs classify`'s start) goes without

    regions = pd.DataFrame(list(csv.DictReader(io.StringIO(regions_csv))), columns=["area", "region"])
    families = yaml.safe_load(families_yaml)
    with transaction(con):
        con.execute("DELETE FROM postcode_regions")
        con.register("incoming_regions", regions)
        con.execute("INSERT INTO postcode_regions SELECT area, region FROM incoming_regions")
        con.unregister("incoming_regions")
        con.execute(advert_facts_sql(families))
        con.execute("INSERT INTO warehouse_state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [STATE_KEY, digest])
    return True

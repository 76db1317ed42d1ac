"""A cell that a spreadsheet would run as a formula is written as text, in `cijobs export` and in the
dashboard's CSV downloads (OWASP's CSV injection advice)."""
from __future__ import annotations

import csv
import io
import shutil

import pandas as pd
import pytest

import warehouse
from dashboard.components import csv_payload
from tests.conftest import query, run_cijobs
from warehouse.filters import AdvertFilter

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3",
           "\tTabbed", "\rReturn"]


@pytest.fixture(scope="module")
def hostile_db(crawled_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "w.duckdb"
    shutil.copy(crawled_db, path)
    con = warehouse.open_warehouse(path)
    try:
        references = [r for (r,) in con.execute("SELECT reference FROM adverts ORDER BY reference LIMIT ?",
                                                [len(HOSTILE)]).fetchall()]
        for reference, title in zip(references, HOSTILE):
            con.execute("UPDATE adverts SET title = ? WHERE reference = ?", [title, reference])
    finally:
        con.close()
    return path


def test_cijobs_export_writes_formula_cells_as_text(hostile_db, tmp_path):
    output = tmp_path / "adverts.csv"
    run_cijobs("export", "adverts", "--format", "csv", "--output", str(output), "--db", str(hostile_db))
    titles = [row["title"] for row in csv.DictReader(output.open(encoding="utf-8", newline=""))]
    for hostile in HOSTILE:
        assert "'" + hostile in titles and hostile not in titles
    stored = {t for (t,) in query(hostile_db, "SELECT title FROM adverts")}
    assert set(HOSTILE) <= stored  # the warehouse keeps what the advert said


def test_dashboard_downloads_write_formula_cells_as_text():
    frame = pd.DataFrame({"title": HOSTILE + ["Data Analyst"], "change": [-2.5] * (len(HOSTILE) + 1)})
    payload = csv_payload(frame, "adverts.csv", AdvertFilter(), "=data version")
    assert not payload.get("base64")
    rows = list(csv.DictReader(io.StringIO(payload["content"], newline="")))
    assert [row["title"] for row in rows] == ["'" + h for h in HOSTILE] + ["Data Analyst"]
    assert {row["data_version"] for row in rows} == {"'=data version"}  # the recorded columns too
    assert {row["change"] for row in rows} == {"-2.5"}  # numbers stay numbers

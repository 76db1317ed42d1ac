"""What a refresh costs as the warehouse grows: loading the same batch of 200 new adverts (20 of them re-posts of
others in the batch), matching them and publishing, into synthetic warehouses of growing size
(bench/synthetic_warehouse.py), against the way each step worked before, in the same run: re-posts linked by
comparing every advert, and demand facts rebuilt by regrouping every match; and the snapshot made by publishing
(a clone where the file system shares blocks between files) against a byte copy of the same file.

Prints figures only. --dir chooses the file system the warehouses are built on (default: the temporary folder);
e.g. an XFS made with `mkfs.xfs -m reflink=1` shows the clone.

    .venv/bin/python bench/refresh_cost.py [--sizes 25000 100000 400000] [--dir DIR]
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from synthetic_warehouse import REQUIREMENT_LINES, generate_warehouse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import warehouse  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.matcher import load_config  # noqa: E402
from warehouse import demand_facts  # noqa: E402
from warehouse.publish import clone_or_copy  # noqa: E402

BATCH = 200
REPOSTS = 20


def batch_adverts(seed: int) -> list[dict]:
    """200 adverts never seen before; the last 20 repeat earlier ones of the batch three weeks later."""
    rng = random.Random(seed)
    adverts = []
    for number in range(BATCH - REPOSTS):
        lines = [{"section": "person_specification", "category": "Experience", "level": rng.choice(
            ["essential", "desirable"]), "text": f"{rng.choice(REQUIREMENT_LINES)} ({seed}-{number}-{n})"}
            for n in range(36)]
        adverts.append({"source": "nhsjobs", "reference": f"BATCH-{seed}-{number}",
                        "url": f"http://127.0.0.1/BATCH-{seed}-{number}", "title": f"Clinical Analyst {number}",
                        "employer": f"Batch Trust {number % 7}", "date_posted": date.today() - timedelta(days=30),
                        "closing_date": date.today() + timedelta(days=10), "is_informatics": True,
                        "requirements": lines})
    for number in range(REPOSTS):
        original = adverts[number]
        adverts.append({**original, "reference": f"{original['reference']}-again", "url": original["url"] + "-again",
                        "date_posted": original["date_posted"] + timedelta(days=21)})
    return adverts


def link_reposts_recomputing_signatures(con) -> int:
    """The re-post linking before signatures were stored (commit fd75916): every advert's signature made again
    from its requirement lines, on every load."""
    return con.execute(
        """
        WITH signature AS (
            SELECT a.advert_id, a.date_posted, a.duplicate_of,
                   lower(trim(a.employer)) AS employer, lower(trim(a.title)) AS title,
                   md5(coalesce(string_agg(r.text, chr(10) ORDER BY r.position)
                                FILTER (WHERE r.section = 'person_specification'), '')) AS spec
            FROM adverts a LEFT JOIN requirements r USING (advert_id)
            WHERE a.date_posted IS NOT NULL
            GROUP BY ALL
        ), earlier AS (
            SELECT later.advert_id, min_by(first.advert_id, first.date_posted) AS original
            FROM signature later
            JOIN signature first
              ON first.employer = later.employer AND first.title = later.title AND first.spec = later.spec
             AND first.advert_id <> later.advert_id
             AND (first.date_posted < later.date_posted
                  OR (first.date_posted = later.date_posted AND first.advert_id < later.advert_id))
             AND later.date_posted - first.date_posted <= 42
            WHERE later.duplicate_of IS NULL
            GROUP BY later.advert_id
        )
        UPDATE adverts SET duplicate_of = earlier.original
        FROM earlier WHERE adverts.advert_id = earlier.advert_id
        """).fetchone()[0]


def match_new_lines(con, framework, matcher_version: str) -> int:
    """Store a match for each line nobody matched yet (as `cijobs match` would, without the matcher's time)."""
    lines = con.execute("""SELECT requirement_id FROM requirements WHERE requirement_id NOT IN
                           (SELECT requirement_id FROM matched_requirements)""").fetchall()
    ids = [c.id for c in framework.competencies]
    matches = pd.DataFrame([{"requirement_id": rid, "competency_id": ids[rid % len(ids)], "score": 80.0,
                             "evidence": "synthetic"} for (rid,) in lines])
    warehouse.store_matches(con, [rid for (rid,) in lines], matches, framework.version, matcher_version)
    return len(lines)


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def measure(size: int, folder: Path) -> dict:
    db = folder / f"refresh-{size}.duckdb"
    generate_warehouse(db, size)
    framework, matcher_version = load_framework(), load_config().fingerprint
    figures = {"size": size}
    con = warehouse.open_warehouse(db)
    try:
        figures["load"], counts = timed(lambda: warehouse.load_adverts(con, batch_adverts(1)))
        figures["re-posts linked"] = counts.duplicates
        figures["link, signatures remade (before)"], _ = timed(lambda: link_reposts_recomputing_signatures(con))
        figures["match store"], _ = timed(lambda: match_new_lines(con, framework, matcher_version))
    finally:
        con.close()
    figures["publish"], _ = timed(lambda: warehouse.publish(db))
    con = warehouse.open_warehouse(db)
    try:
        warehouse.load_adverts(con, batch_adverts(2))  # a second batch, matched, then the facts rebuilt alone
        match_new_lines(con, framework, matcher_version)
        figures["facts, stale adverts"], rebuilt = timed(lambda: demand_facts.rebuild(con))
        figures["needs rebuilt for"] = rebuilt
        con.execute("DELETE FROM warehouse_state WHERE key = ?", [demand_facts.NEEDS_BASIS_KEY])
        figures["facts, every match (before)"], _ = timed(lambda: demand_facts.rebuild(con))
    finally:
        con.close()
    figures["file MB"] = db.stat().st_size / 1e6
    figures["snapshot"], figures["made by"] = timed(lambda: clone_or_copy(db, folder / "snapshot.tmp"))
    figures["byte copy (before)"], _ = timed(lambda: shutil.copyfile(db, folder / "copy.tmp"))
    (folder / "copy.tmp").unlink()
    (folder / "snapshot.tmp").unlink()
    for path in folder.glob("refresh-*"):
        path.unlink()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--dir", type=Path, help="where to build the warehouses (default: the temporary folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cijobs-refresh-", dir=args.dir))
    rows = []
    try:
        for size in args.sizes:
            print(f"generating {size:,} adverts and loading a batch of {BATCH} ...", flush=True)
            rows.append(measure(size, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nA batch of {BATCH} new adverts ({REPOSTS} re-posts) into a warehouse of N adverts, seconds")
    columns = ["size", "load", "re-posts linked", "link, signatures remade (before)", "match store", "publish",
               "needs rebuilt for", "facts, stale adverts", "facts, every match (before)", "snapshot", "made by",
               "byte copy (before)", "file MB"]
    print("  ".join(f"{c:>14}" for c in columns))
    for row in rows:
        print("  ".join(f"{row[c]:>14,.2f}" if isinstance(row[c], float) else f"{row[c]:>14}" for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())

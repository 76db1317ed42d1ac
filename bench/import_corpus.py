"""The whole 2020 corpus through `cijobs import jobposting`: time, peak memory, adverts, parse errors, pages
broken by redaction, contacts left anywhere, criteria found, pay and band coverage, and what the dashboard's
queries then show (regions, employers, bands).

Reserved adverts are never read: the script writes the corpus without them to a temporary file first.
Compared in the same run with a naive import: json.loads and the structured fields only, no parsing.

    .venv/bin/python bench/import_corpus.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from real_corpus import DEFAULT_CORPUS, ROOT, adverts

sys.path.insert(0, str(ROOT))
import duckdb  # noqa: E402

from warehouse import decompress_page  # noqa: E402

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w£,.])(?:\+44\s?|0)\d(?:[\s\u00a0-]?\d){8,9}(?!\w)")
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def naive_seconds(path: Path) -> float:
    started = time.perf_counter()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    con = duckdb.connect()
    con.execute("CREATE TABLE adverts (title VARCHAR, employer VARCHAR, description VARCHAR)")
    con.executemany("INSERT INTO adverts VALUES (?, ?, ?)",
                    [(r.get("title"), (r.get("hiringOrganization") or {}).get("name"), r.get("description"))
                     for r in rows])
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the warehouse in this folder and keep it")
    args = parser.parse_args()
    if not DEFAULT_CORPUS.is_file():
        print(f"skipped: no corpus at {DEFAULT_CORPUS}")
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cijobs-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "corpus-unreserved.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as out:
        count = sum(out.write(json.dumps(advert) + "\n") > 0 for advert in adverts())
    db = folder / "cijobs.duckdb"
    for stale in folder.glob("cijobs*.duckdb*"):
        stale.unlink()
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "cijobs.cli", "import", "jobposting", str(source), "--db", str(db)],
                            cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if result.returncode != 0:
        print(result.stdout, result.stderr)
        return 1
    print(f"{count} records (reserved adverts left out) imported, matched and published in {seconds:.0f}s, "
          f"peak memory {peak_mb:.0f} MB")
    for line in result.stdout.splitlines():
        if line.startswith(("imported", "matched")):
            print("  " + line)
    print(f"  naive baseline (json.loads + insert of three fields, nothing parsed): {naive_seconds(source):.0f}s")
    con = duckdb.connect(str(db), read_only=True)
    try:
        report(con)
    finally:
        con.close()
    dashboard_check(db)
    return 0


def dashboard_check(db: Path) -> None:
    """The dashboard on the imported warehouse: every page and its layout answer, and the queries its
    first views make return real rows."""
    from dashboard.app import create_app
    from dashboard.data import query
    from warehouse.filters import AdvertFilter

    client = create_app(db).server.test_client()
    started = time.perf_counter()
    pages = {path: client.get(path).status_code for path in ("/", "/domains", "/employers", "/adverts", "/runs",
                                                             "/profiler", "/_dash-layout", "/_dash-dependencies")}
    print(f"dashboard on it: {', '.join(f'{p} {s}' for p, s in pages.items())} ({time.perf_counter() - started:.1f}s)")
    options = query("filter_options", db)
    counts = {name: len(values) for name, values in options.items() if isinstance(values, list)}
    demand = query("domain_demand", db, AdvertFilter())
    print(f"  filter options: {counts}; domain demand over {int(demand['adverts'].max())} informatics adverts: "
          + ", ".join(f"{row.domain_id} {row.share:.0%}" for row in demand.itertuples()))


def report(con) -> None:
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    total = one("SELECT count(*) FROM adverts")
    print(f"adverts {total}; parse errors {one('SELECT sum(parse_errors) FROM crawl_runs')}; "
          f"archived pages {one('SELECT count(*) FROM raw_pages')}")
    broken = leaks = 0
    for (body,) in con.execute("SELECT body FROM raw_pages").fetchall():
        page = decompress_page(body)
        for block in JSONLD.findall(page):
            try:
                json.loads(block.replace("<\\/", "</"))
            except ValueError:
                broken += 1
        leaks += len(EMAIL.findall(page)) + len(PHONE.findall(page))
    texts = con.execute("""SELECT concat_ws(' ', title, employer, summary, duties, responsibilities, about_organisation,
                                            salary_text) FROM adverts""").fetchall()
    texts += con.execute("SELECT text FROM requirements").fetchall()
    leaks_stored = sum(len(EMAIL.findall(t or "")) + len(PHONE.findall(t or "")) for (t,) in texts)
    print(f"JSON-LD blocks made invalid by redaction: {broken}; emails/phones left in archived pages: {leaks}, "
          f"in adverts and requirements: {leaks_stored}")
    with_criteria = one("""SELECT count(DISTINCT advert_id) FROM requirements
                           WHERE section = 'person_specification'""")
    print(f"adverts with any criterion found: {with_criteria}/{total} = {with_criteria / total:.1%}")
    print("requirements by section and level: " + ", ".join(
        f"{s}/{lvl or '-'} {n}" for s, lvl, n in con.execute(
            "SELECT section, level, count(*) FROM requirements GROUP BY ALL ORDER BY 3 DESC").fetchall()))
    print("salary period: " + ", ".join(f"{p or 'none'} {n}" for p, n in con.execute(
        "SELECT salary_period, count(*) FROM adverts GROUP BY 1 ORDER BY 2 DESC").fetchall())
          + f"; salary text kept {one('SELECT count(salary_text) FROM adverts')}; band read "
            f"{one('SELECT count(band) FROM adverts')}")
    for column, label in (("region", "regions"), ("band", "bands"), ("employer", "employers")):
        rows = con.execute(f"""SELECT {column}, count(*) FROM advert_facts WHERE {column} IS NOT NULL
                               GROUP BY 1 ORDER BY 2 DESC LIMIT 6""").fetchall()
        print(f"top {label} the dashboard filters offer: " + ", ".join(f"{v} ({n})" for v, n in rows))


if __name__ == "__main__":
    sys.exit(main())

"""Robustness of the page pipeline: mutated advert pages through scrub -> parse -> enrich -> load -> match.

Pages are the bundled sample board's NHS Jobs advert pages and the JobPosting test fixtures; each is
mutated at random (cut, doubled, junk markup, JSON-LD values of the wrong type, random Unicode).
A ParseError is the expected answer to a broken page (the crawl counts and archives it); any other
exception would lose the page, so it is counted here as a crash, with where it happened. The adverts
that parse are then loaded into a throwaway warehouse in crawl-sized batches and matched, as a crawl
would. Prints the counts and exits 1 if anything crashed. No network; about 15 s for 4,000 pages.

    .venv/bin/python bench/fuzz_pages.py [--pages 4000] [--seed 0]
"""
from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cijobs.sample_site import SampleBoard, render  # noqa: E402
from crawler.enrich import finish_advert  # noqa: E402
from crawler.parsers import jobposting, nhsjobs  # noqa: E402
from crawler.parsers.errors import ParseError  # noqa: E402
from crawler.privacy import scrub_page  # noqa: E402

JUNK = ["", "<", ">", "</div>", '<div id="job_description">', '"', "{", "}", "[", "]", "null", "0", "\x00", "\x01",
        "\ufeff", "é", "&amp;", "&#0;", "<!--", "-->", "]]>", '<?xml version="1.0" encoding="utf-8"?>',
        '<script type="application/ld+json">', "</script>", '{"@type":"JobPosting"}', '"title": 5',
        '"baseSalary": {"value": {"minValue": "x"}}', '"datePosted": []', '"hiringOrganization": "x"',
        '"jobLocation": [null]', 'itemtype="http://[x"', "\n\n\n", "     "]


def pages() -> list[tuple[str, str, bool]]:
    """(html, url, is_nhs_jobs) for every page the mutations start from."""
    nhs = [(render.advert_page(a), f"https://www.jobs.nhs.uk/candidate/jobadvert/{a['reference']}", True)
           for a in SampleBoard.default().adverts]
    fixtures = sorted((ROOT / "tests" / "fixtures" / "jobposting" / "jobs").glob("*.html"))
    jp = [(f.read_text(encoding="utf-8"), f"http://127.0.0.1:8000/jobs/{f.name}", False) for f in fixtures]
    return nhs + jp


def mutate(page: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 6)):
        roll, start = rng.random(), rng.randrange(len(page) + 1)
        end = min(len(page), start + rng.randint(0, 200))
        if roll < 0.3:
            page = page[:start] + page[end:]
        elif roll < 0.6:
            page = page[:start] + rng.choice(JUNK) + page[start:]
        elif roll < 0.8:
            page = page[:start] + page[start:end] * 2 + page[end:]
        else:
            page = page[:start] + "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 20))) + page[start:]
    return page


def run_page(html: str, url: str, is_nhs_jobs: bool) -> list[dict]:
    scrubbed = scrub_page(html)
    adverts = [nhsjobs.parse_advert(scrubbed, url)] if is_nhs_jobs else jobposting.parse_page(scrubbed, url)
    return [finish_advert(advert) for advert in adverts]


def load_and_match(adverts: list[dict], batch: int = 200) -> list[str]:
    """Load the adverts into a throwaway warehouse in batches, then match; the errors, if any."""
    import warehouse
    from cijobs.matching_job import match_warehouse

    errors = []
    with tempfile.TemporaryDirectory() as directory:
        db = Path(directory) / "fuzz.duckdb"
        con = warehouse.open_warehouse(db)
        for start in range(0, len(adverts), batch):
            try:
                warehouse.load_adverts(con, adverts[start:start + batch])
            except Exception as exc:  # noqa: BLE001
                errors.append(f"load: {type(exc).__name__}: {str(exc)[:120]}")
        con.close()
        try:
            match_warehouse(db)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"match: {type(exc).__name__}: {str(exc)[:120]}")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng, sources = random.Random(args.seed), pages()
    outcomes, crashes, examples = collections.Counter(), collections.Counter(), {}
    parsed: list[dict] = []
    started = time.perf_counter()
    for _ in range(args.pages):
        html, url, is_nhs_jobs = rng.choice(sources)
        try:
            parsed += run_page(mutate(html, rng), url, is_nhs_jobs)
            outcomes["parsed"] += 1
        except ParseError:
            outcomes["parse error (counted and archived)"] += 1
        except Exception as exc:  # noqa: BLE001 - anything else is what this script looks for
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = (type(exc).__name__, Path(frame.filename).name, frame.lineno)
            crashes[where] += 1
            examples.setdefault(where, str(exc)[:120])
    seconds = time.perf_counter() - started
    print(f"{args.pages:,} mutated pages (seed {args.seed}) in {seconds:.1f}s: "
          + ", ".join(f"{label} {count:,}" for label, count in outcomes.most_common())
          + f", crashes {sum(crashes.values()):,}")
    for (kind, filename, line), count in crashes.most_common():
        print(f"  {count:5d} {kind} at {filename}:{line}: {examples[(kind, filename, line)]}")
    started = time.perf_counter()
    load_errors = load_and_match(parsed)
    print(f"{len(parsed):,} parsed adverts loaded and matched in {time.perf_counter() - started:.1f}s: "
          f"{len(load_errors)} errors")
    for error in load_errors[:10]:
        print(f"  {error}")
    return 1 if crashes or load_errors else 0


if __name__ == "__main__":
    sys.exit(main())

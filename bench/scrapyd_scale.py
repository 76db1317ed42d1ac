"""How far one warehouse host goes when crawls run as scrapyd jobs, measured on loopback.

4 scrapyd daemons (started from the pinned package, one crawl at a time each, the project deployed to them as
an egg built by scrapyd-deploy) crawl N sample boards, one source each, every job writing its batch to a shared
folder; one loader (`cijobs load`'s code) merges the batches. In the same run, the naive baseline: the same N
crawls one after another, each loading itself (what `cijobs refresh` does without ``[scrapyd]``). Then what one
load cycle costs the warehouse host as the warehouse grows: the same batches loaded into synthetic warehouses
(bench/synthetic_warehouse.py) of increasing size, then matched and published.

    .venv/bin/python bench/scrapyd_scale.py                            # 4 daemons x 4 and 8 sources (~10 min)
    .venv/bin/python bench/scrapyd_scale.py --sources 4 --delays 0 --warehouse-sizes 0,10000   # quicker

Everything runs on this machine, boards and daemons on 127.0.0.1. With no delay between requests the crawls are
bound by CPU (2 cores shared by 4 daemons, the boards and the loader); with a delay (0.2 s) they are bound, as
real crawls are, by politeness (about one request a second per host), which is where parallel jobs pay. One large
source (1,000 adverts, one job) shows how a batch's load grows with its size.
"""
from __future__ import annotations

import argparse
import copy
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic_warehouse import generate_warehouse  # noqa: E402

import warehouse  # noqa: E402
from cijobs.config import FiguresSection, ScrapydSection, SourceConfig  # noqa: E402
from cijobs.loading import load_batches  # noqa: E402
from cijobs.matching_job import match_warehouse  # noqa: E402
from cijobs.sample_site import SampleBoard, SampleSiteServer  # noqa: E402
from cijobs.scrapyd_dispatch import run_jobs  # noqa: E402
from crawler.batches import LOADED  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.learned import build_matcher  # noqa: E402
from tests.cijobs.scrapyd_daemons import ScrapydDaemon, build_egg, deploy  # noqa: E402

MARKER = "cijobsbench"  # one word every advert of every board has: one search lists a whole board


def board(number: int, adverts: int) -> SampleBoard:
    """A board of ``adverts`` adverts of its own (references no other board has), all open, all listed by MARKER."""
    sample = SampleBoard.default().adverts
    made = []
    for index in range(adverts):
        advert = copy.deepcopy(sample[index % len(sample)])
        advert["reference"] = f"B{number:03d}-{index:05d}"
        advert["date_posted"] = date.today() - timedelta(days=index % 20)
        advert["closing_date"] = date.today() + timedelta(days=30)
        advert["job_summary"] = [*advert.get("job_summary", []), f"Listed for the {MARKER} board {number}."]
        made.append(advert)
    return SampleBoard(made)


def serve_boards(count: int, adverts: int, urls, stop) -> None:
    """In a process of its own (the boards' rendering must not share the bench's interpreter): serve until told."""
    servers = [SampleSiteServer(board(number, adverts)).start() for number in range(count)]
    for server in servers:
        urls.put(server.url)
    stop.wait()
    for server in servers:
        server.stop()


class Boards:
    def __init__(self, count: int, adverts: int):
        context = multiprocessing.get_context("spawn")
        self._urls, self._stop = context.Queue(), context.Event()
        self._process = context.Process(target=serve_boards, args=(count, adverts, self._urls, self._stop))
        self.count = count

    def __enter__(self) -> list[str]:
        self._process.start()
        return [self._urls.get(timeout=60) for _ in range(self.count)]

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()


def sources_for(urls: list[str], delay: float) -> list[SourceConfig]:
    return [SourceConfig("nhsjobs", base_url=url, delay=delay, keywords=[MARKER]) for url in urls]


def dispatched(daemons: list[ScrapydDaemon], urls: list[str], delay: float, work: Path) -> dict:
    batch_dir, db = work / "batches", work / "dispatched.duckdb"
    section = ScrapydSection(urls=[daemon.url for daemon in daemons], batch_dir=str(batch_dir), poll_seconds=0.2,
                             timeout_minutes=30)
    started = time.perf_counter()
    run_jobs(section, sources_for(urls, delay), FiguresSection())
    crawled = time.perf_counter()
    report = load_batches(db, batch_dir)
    loaded = time.perf_counter()
    assert report.ok, report.problem()
    adverts = query_one(db, "SELECT count(*) FROM adverts")
    return {"crawl": crawled - started, "load": loaded - crawled, "batches": report.batches, "adverts": adverts,
            "batch_dir": batch_dir}


def sequential(urls: list[str], delay: float, work: Path) -> dict:
    """The naive baseline: one `cijobs crawl` after another, each loading itself into the warehouse."""
    db = work / "sequential.duckdb"
    started = time.perf_counter()
    for url in urls:
        subprocess.run([sys.executable, "-m", "cijobs.cli", "crawl", "nhsjobs", "--base-url", url, "--keyword", MARKER,
                        "--delay", str(delay), "--db", str(db), "--no-publish"], check=True, capture_output=True,
                       cwd=work)
    return {"wall": time.perf_counter() - started, "adverts": query_one(db, "SELECT count(*) FROM adverts")}


def query_one(db: Path, sql: str):
    con = warehouse.open_read_only(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def load_cycle(batches: Path, large: Path, size: int, work: Path) -> dict:
    """Load copies of ``batches`` into a synthetic warehouse of ``size`` adverts, then match and publish: what one
    `cijobs load` costs the warehouse host at that size. Then the ``large`` batch (one big source), loaded alone."""
    db = work / f"warehouse-{size}.duckdb"
    if size:
        generate_warehouse(db, size)
        _as_matched_by_this_matcher(db)
    else:
        warehouse.open_warehouse(db).close()
    batch_dir = work / f"batches-{size}"
    shutil.copytree(batches, batch_dir, ignore=shutil.ignore_patterns(LOADED, "known"))
    started = time.perf_counter()
    report = load_batches(db, batch_dir)
    loaded = time.perf_counter()
    matched = match_warehouse(db)
    match_done = time.perf_counter()
    warehouse.publish(db)
    published = time.perf_counter()
    assert report.ok, report.problem()
    large_dir = work / f"large-{size}"
    shutil.copytree(large, large_dir)
    large_report = load_batches(db, large_dir)
    assert large_report.ok, large_report.problem()
    per_batch = [batch.seconds for batch in report.batches]
    figures = {"size": size, "batches": len(per_batch), "per_batch": statistics.median(per_batch),
               "max_batch": max(per_batch), "load": loaded - started, "match": match_done - loaded,
               "lines": matched.lines, "publish": published - match_done,
               "file_mb": db.stat().st_size / 1e6, "large": large_report.batches[0].seconds,
               "large_adverts": large_report.batches[0].adverts}
    for path in db.parent.glob(f"{db.stem}*"):
        path.unlink() if path.is_file() else shutil.rmtree(path)
    return figures


def _as_matched_by_this_matcher(db: Path) -> None:
    """The synthetic matches were made by the phrase matcher: count them as this matcher's, so that a load cycle
    matches the batches' lines only, as it would in a warehouse kept up to date."""
    framework = load_framework()
    version = build_matcher(framework).version
    con = warehouse.open_warehouse(db)
    try:
        con.execute("UPDATE matched_requirements SET matcher_version = ?", [version])
        con.execute("UPDATE matches SET matcher_version = ?", [version])
        con.execute("UPDATE warehouse_state SET value = ? WHERE key = 'matcher_version'", [version])
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--daemons", type=int, default=4)
    parser.add_argument("--sources", default="4,8", help="comma-separated numbers of sources (one board each)")
    parser.add_argument("--adverts", type=int, default=60, help="adverts per board")
    parser.add_argument("--delays", default="0,0.2",
                        help="comma-separated seconds between requests to a board: 0 measures the crawls' CPU, a "
                             "delay how they behave when politeness, not CPU, bounds them")
    parser.add_argument("--large-batch", type=int, default=1000, help="adverts of the one large source")
    parser.add_argument("--warehouse-sizes", default="0,25000,100000",
                        help="comma-separated warehouse sizes (adverts) for the load cycle")
    args = parser.parse_args()
    counts = [int(n) for n in args.sources.split(",")]
    sizes = [int(n) for n in args.warehouse_sizes.split(",")]
    delays = [float(n) for n in args.delays.split(",")]
    work = Path(tempfile.mkdtemp(prefix="cijobs-scrapyd-scale-"))
    print(f"{args.daemons} scrapyd daemons (one crawl at a time each) x {counts} sources of {args.adverts} adverts, "
          f"on 127.0.0.1; work in {work}")
    try:
        started = time.perf_counter()
        egg = build_egg(work / "egg")
        print(f"egg {egg.stat().st_size / 1e6:.1f} MB built by scrapyd-deploy in {time.perf_counter() - started:.1f}s")
        results = {}
        with _daemons(args.daemons, work) as daemons:
            started = time.perf_counter()
            for daemon in daemons:
                deploy(daemon.url, egg)
            print(f"deployed to {len(daemons)} daemons in {time.perf_counter() - started:.1f}s\n")
            for count in counts:
                with Boards(count, args.adverts) as urls:
                    for delay in delays:
                        run = work / f"n{count}-delay{delay}"
                        run.mkdir()
                        results[count, delay] = (dispatched(daemons, urls, delay, run), sequential(urls, delay, run))
            with Boards(1, args.large_batch) as urls:
                (work / "large").mkdir()
                large = dispatched(daemons, urls, 0.0, work / "large")
        _report_crawls(results, args.daemons)
        print(f"one source of {args.large_batch} adverts as one job: crawled in {large['crawl']:.1f}s, a batch of "
              f"{large['batches'][0].size / 1e6:.2f} MB loaded in {large['batches'][0].seconds:.2f}s\n")
        first = results[counts[0], delays[0]][0]["batch_dir"] / LOADED
        _report_cycles([load_cycle(first, large["batch_dir"] / LOADED, size, work) for size in sizes], counts[0],
                       args.adverts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


class _daemons:
    def __init__(self, count: int, work: Path):
        self._daemons = [ScrapydDaemon(work / f"scrapyd-{number}", max_proc=1) for number in range(count)]

    def __enter__(self) -> list[ScrapydDaemon]:
        try:
            for daemon in self._daemons:
                daemon.__enter__()
        except BaseException:
            self.__exit__()
            raise
        return self._daemons

    def __exit__(self, *exc) -> None:
        for daemon in self._daemons:
            daemon.__exit__()


def _report_crawls(results: dict, daemons: int) -> None:
    print("crawl and load, scrapyd jobs vs the naive baseline (sequential `cijobs crawl`, each loading itself):")
    print(f"{'sources':>7} {'delay':>5} {'adverts':>7} | {'jobs: crawl':>11} {'load':>6} {'total':>6} | "
          f"{'batch MB':>8} {'load/batch':>10} | {'sequential':>10} | {'speed-up':>8}")
    for (count, delay), (jobs, baseline) in results.items():
        sizes = [batch.size / 1e6 for batch in jobs["batches"]]
        per_batch = statistics.median(batch.seconds for batch in jobs["batches"])
        total = jobs["crawl"] + jobs["load"]
        assert jobs["adverts"] == baseline["adverts"], (jobs["adverts"], baseline["adverts"])
        print(f"{count:>7} {delay:>5g} {jobs['adverts']:>7} | {jobs['crawl']:>10.1f}s {jobs['load']:>5.1f}s "
              f"{total:>5.1f}s | {statistics.median(sizes):>8.2f} {per_batch:>9.2f}s | {baseline['wall']:>9.1f}s | "
              f"{baseline['wall'] / total:>7.1f}x")
    print(f"(crawl: from the first schedule.json to the last job finished, {daemons} daemons; load: every batch "
          "into a fresh warehouse, one transaction each; sizes are gzip JSON lines)\n")


def _report_cycles(cycles: list[dict], count: int, adverts: int) -> None:
    print(f"one load cycle of {count} batches ({count * adverts} adverts) as the warehouse grows "
          "(load = `cijobs load` without match and publish):")
    print(f"{'warehouse':>9} {'file MB':>8} | {'load/batch':>10} {'max':>6} {'load':>6} | {'match':>6} "
          f"{'lines':>6} | {'publish':>7} | {'cycle':>6} | {'large batch':>11}")
    for c in cycles:
        cycle = c["load"] + c["match"] + c["publish"]
        print(f"{c['size']:>9,} {c['file_mb']:>8.0f} | {c['per_batch']:>9.2f}s {c['max_batch']:>5.2f}s "
              f"{c['load']:>5.1f}s | {c['match']:>5.1f}s {c['lines']:>6} | {c['publish']:>6.1f}s | {cycle:>5.1f}s | "
              f"{c['large']:>10.2f}s")
    print(f"(large batch: the one source of {cycles[0]['large_adverts']} adverts, loaded after the cycle)")


if __name__ == "__main__":
    sys.exit(main())

"""Crawl throughput: the real `cijobs crawl` against a generated 1,000-advert mirror on 127.0.0.1.

Prints adverts/second, CPU seconds and peak memory of the crawl process, and, on the same pages, two baselines: a
plain Scrapy spider that fetches the advert pages and keeps nothing (bench/plain_spider.py: Scrapy's own cost,
which `cijobs crawl` is measured against), and one-at-a-time urllib fetches plus the same parser, with no
warehouse at all.

    .venv/bin/python bench/crawl.py [--adverts 1000]
"""
from __future__ import annotations

import argparse
import copy
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cijobs.sample_site import SampleBoard, SampleSiteServer  # noqa: E402
from crawler.parsers.nhsjobs import parse_advert  # noqa: E402


def mirror_board(size: int) -> SampleBoard:
    """``size`` adverts cloned from the sample board under fresh references, all matching 'digital'."""
    templates = SampleBoard.default().adverts
    adverts = []
    for number in range(size):
        advert = copy.deepcopy(templates[number % len(templates)])
        advert["reference"] = f"B{number % 10000:04d}-26-{number:06d}"
        advert["job_summary"] = [*advert["job_summary"], "Part of our digital programme."]
        adverts.append(advert)
    return SampleBoard(adverts)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(command: list[str], cwd: Path = ROOT) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and bytes of log (stderr) of a child process."""
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started, children_cpu() - cpu, len(result.stderr) + len(result.stdout)


def crawl_with_cijobs(site, db: Path, page_workers: int = 0) -> tuple[float, float, int, float]:
    seconds, cpu, log = run_child([sys.executable, "-m", "cijobs.cli", "crawl", "nhsjobs", "--base-url", site.url,
                                   "--delay", "0", "--keyword", "digital", "--db", str(db),
                                   "--set", f"CIJOBS_PAGE_WORKERS={page_workers}"])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, cpu, log, peak_mb


def crawl_with_plain_scrapy(site, board: SampleBoard, scratch: Path) -> tuple[float, float, int]:
    urls = scratch / "urls.txt"
    urls.write_text("\n".join(f"{site.url}/candidate/jobadvert/{advert['reference']}" for advert in board.adverts),
                    encoding="utf-8")
    return run_child([sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "plain_spider.py"),
                      "-a", f"urls={urls}", "-s", "LOG_LEVEL=INFO"], cwd=scratch)  # not our scrapy.cfg


def crawl_naively(site, board: SampleBoard) -> float:
    started = time.perf_counter()
    for advert in board.adverts:
        url = f"{site.url}/candidate/jobadvert/{advert['reference']}"
        with urllib.request.urlopen(url) as response:
            parse_advert(response.read().decode("utf-8"), url)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adverts", type=int, default=1000)
    args = parser.parse_args()
    board = mirror_board(args.adverts)
    with SampleSiteServer(board) as site, tempfile.TemporaryDirectory() as scratch:
        plain_seconds, plain_cpu, plain_log = crawl_with_plain_scrapy(site, board, Path(scratch))
        seconds, cpu, log, peak_mb = crawl_with_cijobs(site, Path(scratch) / "bench.duckdb")
        worked = crawl_with_cijobs(site, Path(scratch) / "worker.duckdb", page_workers=1)
        naive = crawl_naively(site, board)
    print(f"cijobs crawl (discovery, fetch, scrub, parse, extract, stage, load), {args.adverts} adverts: "
          f"{seconds:.1f}s = {args.adverts / seconds:.0f} adverts/s, CPU {cpu:.1f}s, log {log / 1e6:.2f} MB, "
          f"peak memory {peak_mb:.0f} MB")
    print(f"plain Scrapy spider (fetch the advert pages, keep nothing): {plain_seconds:.1f}s, CPU {plain_cpu:.1f}s, "
          f"log {plain_log / 1e6:.2f} MB")
    print(f"cijobs / plain Scrapy: {seconds / plain_seconds:.2f}x the wall time, {cpu / plain_cpu:.2f}x the CPU")
    print(f"cijobs crawl with a page worker (--set CIJOBS_PAGE_WORKERS=1): {worked[0]:.1f}s, CPU {worked[1]:.1f}s "
          f"(both processes): {worked[0] / plain_seconds:.2f}x the wall time, {worked[1] / plain_cpu:.2f}x the CPU")
    print(f"naive baseline (sequential urllib + parse only, nothing stored): {naive:.1f}s = "
          f"{args.adverts / naive:.0f} adverts/s")
    print(f"ratio cijobs/naive throughput: {naive / seconds:.2f}")


if __name__ == "__main__":
    main()

"""Matching throughput: the project's matcher against a naive rapidfuzz loop, on the same lines.

Lines come from the 2020 NHS Jobs corpus in ../shared/data/nhs_jobs_2020 when it is there
(read, never copied), otherwise from the bundled sample board. With the corpus, also times
extracting and matching every advert and reports peak memory.

    .venv/bin/python bench/matching.py [--corpus PATH] [--naive-lines 300]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from baselines import naive_lines_per_second  # noqa: E402
from real_corpus import advert_lines, adverts  # noqa: E402

from advert_text.extract import is_boilerplate  # noqa: E402
from matching.classify import classify_lines  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.matcher import Matcher  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "nhs_jobs_2020" / "postings.jsonl.gz"


def corpus_lines(path: Path):
    """Requirement-sized lines per advert of the corpus (reserved adverts never read)."""
    for advert in adverts(path):
        yield [line for line in advert_lines(advert) if not is_boilerplate(line)]


def sample_lines() -> list[str]:
    from cijobs.sample_site import SampleBoard

    lines = []
    for advert in SampleBoard.default().adverts:
        for block in advert["person_spec"]:
            lines += block["essential"] + block["desirable"]
        lines += advert.get("responsibilities", [])
    return lines


def project_lines_per_second(matcher: Matcher, lines: list[str]) -> float:
    started = time.perf_counter()
    classify_lines(matcher, lines)
    return len(lines) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--naive-lines", type=int, default=300, help="lines for the (slow) naive baseline")
    parser.add_argument("--lines", type=int, default=20000, help="lines for the project matcher's rate")
    args = parser.parse_args()
    framework = load_framework()
    matcher = Matcher(framework)
    statements = [c.statement for c in framework.competencies]

    if args.corpus.is_file():
        source = f"corpus {args.corpus}"
        lines = []
        for advert_lines in corpus_lines(args.corpus):
            lines.extend(advert_lines)
            if len(lines) >= args.lines:
                break
    else:
        print(f"corpus not found at {args.corpus}: using the sample board's lines")
        source = "sample board"
        lines = sample_lines()
    lines = (lines * (args.lines // max(len(lines), 1) + 1))[: args.lines]
    project = project_lines_per_second(matcher, lines)
    naive = naive_lines_per_second(lines[: args.naive_lines], statements)
    print(f"lines from {source}: project matcher {project:,.0f} lines/s on {len(lines):,} lines; "
          f"naive WRatio loop {naive:,.0f} lines/s on {min(args.naive_lines, len(lines))} lines; "
          f"ratio {project / naive:,.0f}x")

    if args.corpus.is_file():
        started = time.perf_counter()
        adverts = total_lines = 0
        batch: list[str] = []
        for advert_lines in corpus_lines(args.corpus):
            adverts += 1
            batch.extend(advert_lines)
            if len(batch) >= 5000:
                total_lines += len(batch)
                classify_lines(matcher, batch)
                batch = []
            if adverts % 5000 == 0:
                print(f"  ... {adverts:,} adverts", file=sys.stderr)
        total_lines += len(batch)
        classify_lines(matcher, batch)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"whole corpus: {adverts:,} adverts, {total_lines:,} lines extracted and matched in {seconds:.1f}s "
              f"({total_lines / seconds:,.0f} lines/s end to end), peak memory {peak_mb:.0f} MB")
    else:
        print(f"whole-corpus timing skipped: corpus not found at {args.corpus}")


if __name__ == "__main__":
    main()

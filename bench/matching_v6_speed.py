"""Speed of `cijobs classify` with the learned stage (matcher v6) against the phrase matcher alone.

Takes the first N distinct requirement-sized lines of the 2020 corpus (reserved adverts never read;
texts kept in memory only), pipes them through `cijobs classify` in a child process, as a user would,
once with CIJOBS_MATCHER=phrase and once with CIJOBS_MATCHER=learned, each in one process and on every core
(CIJOBS_MATCH_WORKERS), and prints distinct lines per second (start-up and model loading included), plus the
in-process rate of the matchers themselves, beside two baselines on the same lines: the naive loop (fuzz.WRatio of
every line against every statement, bench/matching.py's) and one rapidfuzz `cdist` call scoring every line against
every key phrase with the matcher's scorer on every core (no candidate lookup, stems, alignment or learned stage:
what the fuzzy scoring alone costs without an index). Each figure is the best of --repeat runs, the runs of the variants
interleaved (this machine's speed drifts by a third from minute to minute). Without the corpus: prints "skipped",
exits 0.

    .venv/bin/python bench/matching_v6_speed.py [--lines 20000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import real_corpus  # noqa: E402
from baselines import naive_lines_per_second  # noqa: E402
from rapidfuzz import process  # noqa: E402

from advert_text.normalise import fold  # noqa: E402
from matching.classify import classify_lines  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.learned import LearnedMatcher, build_matcher  # noqa: E402
from matching.matcher import SCORERS, Matcher  # noqa: E402

BASELINE_LINES = 2000  # the cdist baseline's lines (every line x every phrase); the naive loop's are fewer
NAIVE_LINES = 200


def distinct_lines(count: int) -> list[str]:
    seen: dict[str, None] = {}
    for advert in real_corpus.adverts():
        for line in real_corpus.advert_lines(advert):
            seen.setdefault(line)
            if len(seen) >= count:
                return list(seen)
    return list(seen)


def through_cli(lines: list[str], phrase_only: bool, workers: int) -> float:
    env = {**os.environ, "CIJOBS_MATCHER": "phrase" if phrase_only else "learned",
           "CIJOBS_MATCH_WORKERS": str(workers)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "cijobs.cli", "classify"], input="\n".join(lines) + "\n",
                            capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    seconds = time.perf_counter() - started
    assert len(result.stdout.splitlines()) == len(lines)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant; the best is reported")
    args = parser.parse_args()
    if not real_corpus.DEFAULT_CORPUS.is_file():
        print(f"skipped: no corpus at {real_corpus.DEFAULT_CORPUS}")
        return 0
    lines = distinct_lines(args.lines)
    framework = load_framework()
    learned = build_matcher(framework, stage="learned")
    if not isinstance(learned, LearnedMatcher):
        print("no learned model in matching/model: nothing to compare")
        return 0
    print(f"{len(lines)} distinct real lines; learned matcher {learned.version}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    stages = (("phrase matcher alone", True), ("learned stage (v6)", False))
    runs: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.repeat):
        for name, phrase_only in stages:
            for workers in (1, cores):
                runs.setdefault((name, workers), []).append(through_cli(lines, phrase_only, workers))
    for name, _ in stages:
        one, every = min(runs[(name, 1)]), min(runs[(name, cores)])
        print(f"  cijobs classify, {name:<22}: one process {one:6.2f}s {len(lines) / one:7.0f} lines/s; {cores} "
              f"workers {every:6.2f}s {len(lines) / every:7.0f} lines/s ({one / every:.2f}x; with start-up)")
    for name, make in (("phrase matcher alone", lambda: Matcher(framework)),
                       ("learned stage (v6)", lambda: build_matcher(framework, stage="learned"))):
        best = math.inf
        for _ in range(args.repeat):
            matcher = make()  # fresh: no remembered words or lines
            started = time.perf_counter()
            for start in range(0, len(lines), 1000):  # classify's chunks
                classify_lines(matcher, lines[start:start + 1000])
            best = min(best, time.perf_counter() - started)
        print(f"  in process,      {name:<22}: {best:6.2f}s  {len(lines) / best:7.0f} lines/s")
    phrase = Matcher(framework)
    sample = lines[:BASELINE_LINES]
    started = time.perf_counter()
    process.cdist([fold(line) for line in sample], [p.text for p in phrase._phrases],
                  scorer=SCORERS[phrase.config.scorer], processor=None, score_cutoff=phrase.config.threshold,
                  dtype=np.uint8, workers=cores)
    cdist_rate = len(sample) / (time.perf_counter() - started)
    naive_rate = naive_lines_per_second(lines[:NAIVE_LINES], [c.statement for c in framework.competencies])
    best_cli = {name: len(lines) / min(runs[(name, cores)]) for name, _ in stages}
    print(f"  baselines: one cdist call ({len(sample)} lines x {len(phrase._phrases)} key phrases, {cores} cores) "
          f"{cdist_rate:,.0f} lines/s; naive WRatio loop ({NAIVE_LINES} lines x 111 statements) {naive_rate:,.0f} "
          f"lines/s")
    for name, rate in best_cli.items():
        print(f"  cijobs classify on {cores} workers, {name}: {rate / cdist_rate:.1f}x one cdist call, "
              f"{rate / naive_rate:.0f}x the naive loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())

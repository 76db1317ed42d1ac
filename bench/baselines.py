"""Naive baselines the matching benches compare against, on the same lines."""
from __future__ import annotations

import time

from rapidfuzz import fuzz


def naive_lines_per_second(lines: list[str], statements: list[str]) -> float:
    """The obvious first version: a Python loop calling fuzz.WRatio on every line x statement pair."""
    started = time.perf_counter()
    for line in lines:
        scores = [fuzz.WRatio(line, statement) for statement in statements]
        sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:3]
    return len(lines) / (time.perf_counter() - started)

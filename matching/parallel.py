"""Matching on every core: batches of lines matched in worker processes, each with its own matcher.

Matching is CPU-bound Python, so threads do not help; processes do, once there are enough lines to pay for
starting them (a spawned worker imports and builds its matcher, about a second; `classify`'s workers
are forked on Linux, copies of the process that built it). The answer is the same, in the same order,
as ``classify_lines`` in one process.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat

from matching.classify import classify_lines
from matching.framework import Framework
from matching.learned import build_matcher
from matching.matcher import MatcherConfig

WORKERS_VARIABLE = "CIJOBS_MATCH_WORKERS"  # how many processes; 1 matches in this process
PARALLEL_FROM_LINES = 4000  # fewer lines are matched in this process: starting workers would cost more
BATCH_LINES = 1000

_matcher = None


def workers(variable: str = WORKERS_VARIABLE) -> int:
    """The number of processes the environment variable asks for, else the cores this process may use."""
    chosen = os.environ.get(variable, "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise ValueError(f"{variable}={chosen!r}: give a number of processes, 1 or more")
        return int(chosen)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _start_worker(framework: Framework, stage: str | None, config: MatcherConfig | None = None) -> None:
    global _matcher
    _matcher = build_matcher(framework, config, stage=stage)


def _match_and_render(lines: list[str], render: Callable[[list[str], list], object]):
    return render(lines, classify_lines(_matcher, lines))


def match_batches(framework: Framework, batches: list[list[str]], stage: str | None = None) -> Iterator[list]:
    """Each batch's answers (as ``classify_lines`` gives them), in order, from worker processes when the lines
    are many and there is more than one core, else in this process."""
    processes = min(workers(), len(batches))
    if processes <= 1 or sum(len(batch) for batch in batches) < PARALLEL_FROM_LINES:
        matcher = build_matcher(framework, stage=stage)
        yield from (classify_lines(matcher, batch) for batch in batches)
        return
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited from an open database
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker,
                             initargs=(framework, stage)) as pool:
        yield from pool.map(_match_and_render, batches, repeat(_answers))


def _answers(lines: list[str], answers: list) -> list:
    return answers


def _stream_pool(processes: int, framework: Framework, config: MatcherConfig | None) -> ProcessPoolExecutor:
    """Workers for a stream of lines. Where processes can be forked (Linux), the matcher is built here once and the
    workers start as copies of this process, matcher included, in milliseconds: a stream holds no database open,
    and the pool forks every worker before it starts its own thread. Elsewhere each worker is a fresh interpreter
    that imports and builds its own (about a second)."""
    if sys.platform.startswith("linux"):
        global _matcher
        _matcher = build_matcher(framework, config)
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                               initargs=(framework, None, config))


def match_stream(framework: Framework, chunks: Iterable[list[str]], config: MatcherConfig | None = None,
                 render: Callable[[list[str], list], object] | None = None) -> Iterator[tuple[list[str], object]]:
    """(chunk, its answers) for every chunk of a stream, in order; with ``render``, (chunk, render(chunk, its
    answers)), rendered where it was matched, so that the workers share the formatting too (a picklable
    callable). Chunks are held back until PARALLEL_FROM_LINES lines have come (or the stream ended): a short
    stream is matched in this process, a long one by worker processes, at most two chunks a worker ahead of the
    output, so memory stays flat whatever the input."""
    render = render or _answers
    chunks = iter(chunks)
    waiting, lines = [], 0
    for chunk in chunks:
        waiting.append(chunk)
        lines += len(chunk)
        if lines >= PARALLEL_FROM_LINES:
            break
    processes = workers()
    if processes <= 1 or lines < PARALLEL_FROM_LINES:
        matcher = build_matcher(framework, config)
        for chunk in (*waiting, *chunks):
            yield chunk, render(chunk, classify_lines(matcher, chunk))
        return
    with _stream_pool(processes, framework, config) as pool:
        window = deque((chunk, pool.submit(_match_and_render, chunk, render)) for chunk in waiting)
        for chunk in chunks:
            while len(window) >= 2 * processes:
                done, answers = window.popleft()
                yield done, answers.result()
            window.append((chunk, pool.submit(_match_and_render, chunk, render)))
        while window:
            done, answers = window.popleft()
            yield done, answers.result()

"""Matching on every core gives the one-process answer, line for line, in order."""
from __future__ import annotations

from matching import parallel
from matching.classify import classify_lines
from matching.framework import load_framework
from matching.learned import build_matcher
from tests.conftest import ROOT


def _lines() -> list[str]:
    import json

    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "requirements_blind.jsonl").read_text(
        encoding="utf-8").splitlines()]
    return [row["text"] for row in rows][:600]


def test_worker_processes_answer_as_one_process_does(monkeypatch):
    lines = _lines()
    batches = [lines[i:i + 100] for i in range(0, len(lines), 100)]
    monkeypatch.setattr(parallel, "PARALLEL_FROM_LINES", 0)
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    framework = load_framework()
    in_workers = [answer for batch in parallel.match_batches(framework, batches) for answer in batch]
    here = classify_lines(build_matcher(framework), lines)
    assert len(in_workers) == len(lines) and in_workers == here
    assert sum(bool(found) for found in here) > 300  # the comparison is not of empty answers


def test_the_number_of_workers_is_a_clear_setting(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "3")
    assert parallel.workers() == 3
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "none")
    try:
        parallel.workers()
    except ValueError as exc:
        assert "CIJOBS_MATCH_WORKERS='none'" in str(exc)
    else:
        raise AssertionError("a bad worker count must be refused")


def test_classify_streams_a_long_input_through_worker_processes_with_the_same_output(monkeypatch):
    import io
    import json

    from matching import classify

    lines = [line + "\n" for line in _lines()[:300]]
    monkeypatch.setattr(parallel, "PARALLEL_FROM_LINES", 100)  # three chunks of 50 start the workers
    monkeypatch.setattr(classify, "CHUNK_LINES", 50)
    outputs = {}
    for workers in ("2", "1"):
        monkeypatch.setenv(parallel.WORKERS_VARIABLE, workers)
        out = io.StringIO()
        assert classify.classify_stream(lines, out, top_k=2) == 300
        outputs[workers] = out.getvalue()
    assert outputs["2"] == outputs["1"]
    records = [json.loads(row) for row in outputs["2"].splitlines()]
    assert [r["text"] for r in records] == [line.rstrip("\n") for line in lines]
    assert max(len(r["competencies"]) for r in records) == 2  # --top reaches the workers

"""`cijobs classify`: requirement lines in, one JSON object per line out, in order, streamed."""
from __future__ import annotations

import dataclasses
import itertools
import json
from typing import TextIO

from matching.extract import is_boilerplate
from matching.framework import load_framework
from matching.learned import build_matcher
from matching.matcher import CompetencyMatch, Matcher, load_config

CHUNK_LINES = 1000


def classify_lines(matcher: Matcher, lines: list[str]) -> list[list[CompetencyMatch]]:
    """The matcher's answer per line, with boilerplate lines answered by nothing."""
    matchable = [not is_boilerplate(line) for line in lines]
    return matcher.match_lines([line if ok else "" for line, ok in zip(lines, matchable)])


def classify_stream(lines: TextIO, out: TextIO, top_k: int | None = None) -> int:
    """Classify every input line; chunks keep memory flat and let output flow while input arrives."""
    config = load_config()
    if top_k is not None:
        config = dataclasses.replace(config, top_k=top_k)
    matcher = build_matcher(load_framework(), config)  # the learned stage when its model is there
    count = 0
    iterator = iter(lines)
    while chunk := [line.rstrip("\r\n") for line in itertools.islice(iterator, CHUNK_LINES)]:
        results = classify_lines(matcher, chunk)
        for line, found in zip(chunk, results):
            record = {
                "text": line,
                "competencies": [{"id": m.competency_id, "score": m.score, "evidence": m.evidence} for m in found],
                "domains": matcher.domains_of(found),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        count += len(chunk)
    return count

"""`cijobs classify`: requirement lines in, one JSON object per line out, in order, streamed."""
from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TextIO

from advert_text.extract import is_boilerplate
from matching.framework import load_framework
from matching.matcher import CompetencyMatch, Matcher, load_config

CHUNK_LINES = 1000


def classify_lines(matcher: Matcher, lines: list[str]) -> list[list[CompetencyMatch]]:
    """The matcher's answer per line, with boilerplate lines answered by nothing."""
    matchable = [not is_boilerplate(line) for line in lines]
    return matcher.match_lines([line if ok else "" for line, ok in zip(lines, matchable)])


class InputError(ValueError):
    """An input line that is not text: its message names the line."""


def utf8_lines(stream: BinaryIO) -> Iterator[str]:
    """The lines of a byte stream as text; a line that is not UTF-8, or holds a NUL byte (binary data), stops it."""
    for number, raw in enumerate(stream, 1):
        if b"\x00" in raw:
            raise InputError(f"line {number}: looks like binary data (a NUL byte), not text")
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"line {number}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        yield line


def _chunks(lines: Iterable[str]) -> Iterator[list[str]]:
    iterator = iter(lines)
    while chunk := [line.rstrip("\r\n") for line in itertools.islice(iterator, CHUNK_LINES)]:
        yield chunk


def classify_stream(lines: Iterable[str], out: TextIO, top_k: int | None = None) -> int:
    """Classify every input line; chunks keep memory flat and let output flow while input arrives. A long input
    is matched on every core (``matching.parallel``: CIJOBS_MATCH_WORKERS), with the same answers in order."""
    from matching.parallel import match_stream  # it imports this module

    config = load_config()
    if top_k is not None:
        config = dataclasses.replace(config, top_k=top_k)
    framework = load_framework()
    render = JsonLines({competency.id: competency.domain_id for competency in framework.competencies})
    count = 0
    for chunk, text in match_stream(framework, _chunks(lines), config, render):  # the learned stage when it is there
        out.write(text)
        out.flush()
        count += len(chunk)
    return count


class JsonLines:
    """A chunk's answers as `cijobs classify` prints them: one JSON object a line (made in the matching worker)."""

    def __init__(self, domain_of: dict[str, str]):
        self.domain_of = domain_of

    def __call__(self, lines: list[str], answers: list[list[CompetencyMatch]]) -> str:
        return "".join(json.dumps({
            "text": line,
            "competencies": [{"id": m.competency_id, "score": m.score, "evidence": m.evidence} for m in found],
            "domains": sorted({self.domain_of[m.competency_id] for m in found}, key=int),
        }, ensure_ascii=False) + "\n" for line, found in zip(lines, answers))

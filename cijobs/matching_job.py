"""`cijobs match`: run the matcher over every requirement the warehouse has not matched yet."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import warehouse
from matching.classify import classify_lines
from matching.framework import Framework, load_framework
from matching.learned import build_matcher

logger = logging.getLogger("cijobs.match")
BATCH_LINES = 5000


@dataclass
class MatchSummary:
    framework_version: str
    matcher_version: str
    lines: int
    lines_matched: int
    matches: int
    seconds: float

    def summary(self) -> str:
        return (f"matched {self.lines} requirement lines in {self.seconds:.1f}s: {self.lines_matched} mapped to "
                f"{self.matches} competency matches (framework {self.framework_version}, "
                f"matcher {self.matcher_version})")


def matches_frame(requirement_ids: list[int], results) -> pd.DataFrame:
    rows = [(rid, m.competency_id, m.score, m.evidence) for rid, found in zip(requirement_ids, results) for m in found]
    return pd.DataFrame(rows, columns=["requirement_id", "competency_id", "score", "evidence"])


def match_warehouse(db_path: Path, *, rematch: bool = False, framework: Framework | None = None) -> MatchSummary:
    started = time.monotonic()
    con = warehouse.open_warehouse(db_path, create=False)
    try:
        # An imported framework (official text) stays current until another is imported.
        framework = framework or warehouse.load_current_framework(con) or load_framework()
        matcher = build_matcher(framework)  # the learned stage when its model is there
        warehouse.store_framework(con, framework)
        pending = warehouse.pending_requirements(con, framework.version, matcher.version, rematch=rematch)
        total, matched, stored = len(pending), 0, 0
        for start in range(0, total, BATCH_LINES):
            batch = pending.iloc[start:start + BATCH_LINES]
            ids = batch["requirement_id"].astype(int).tolist()
            results = classify_lines(matcher, batch["text"].tolist())  # today's boilerplate rules, too
            frame = matches_frame(ids, results)
            warehouse.store_matches(con, ids, frame, framework.version, matcher.version)
            matched += sum(1 for found in results if found)
            stored += len(frame)
            logger.info("matched %d/%d lines", min(start + BATCH_LINES, total), total)
        if total == 0:
            # Nothing new, but make sure this matcher is the one the views read.
            warehouse.store_matches(con, [], matches_frame([], []), framework.version, matcher.version)
    finally:
        con.close()
    return MatchSummary(framework.version, matcher.version, total, matched, stored, time.monotonic() - started)

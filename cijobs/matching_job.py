"""`cijobs match`: run the matcher over every requirement the warehouse has not matched yet."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import warehouse
from matching.framework import Framework, load_framework
from matching.learned import LearnedMatcher, build_matcher
from matching.parallel import match_batches

logger = logging.getLogger("cijobs.match")
BATCH_LINES = 1000      # lines a worker matches at a time (and the warehouse stores at a time)
PROGRESS_EVERY = 5000


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
        total, matched, stored, done = len(pending), 0, 0, 0
        starts = range(0, total, BATCH_LINES)
        all_ids = pending["requirement_id"].astype(int).tolist()
        id_batches = [all_ids[start:start + BATCH_LINES] for start in starts]
        text_batches = [pending["text"].iloc[start:start + BATCH_LINES].tolist() for start in starts]
        # today's boilerplate rules too (classify_lines), on every core when the lines are many
        for ids, results in zip(id_batches, match_batches(framework, text_batches, matcher_stage(matcher))):
            frame = matches_frame(ids, results)
            warehouse.store_matches(con, ids, frame, framework.version, matcher.version)
            matched += sum(1 for found in results if found)
            stored += len(frame)
            done += len(ids)
            if done % PROGRESS_EVERY < BATCH_LINES or done == total:
                logger.info("matched %d/%d lines", done, total)
        if total == 0:
            # Nothing new, but make sure this matcher is the one the views read.
            warehouse.store_matches(con, [], matches_frame([], []), framework.version, matcher.version)
    finally:
        con.close()
    return MatchSummary(framework.version, matcher.version, total, matched, stored, time.monotonic() - started)


def matcher_stage(matcher) -> str:
    """The stage the workers must build: the one this process built (a framework the model does not fit
    gets the phrase matcher even when the learned stage is selected)."""
    return "learned" if isinstance(matcher, LearnedMatcher) else "phrase"

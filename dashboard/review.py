"""A planner's review of the matcher: on an advert's page, a line's competencies confirmed or corrected, kept as
labels in ``<warehouse>.labels.jsonl`` beside the warehouse, in the format `cijobs eval --gold` reads.

The dashboard reads only the published snapshot and never writes the warehouse; the labels are a file of
their own (the newest label of a line replaces an older one). Reviewing is on only where the dashboard is not
open to anyone: on a loopback address, or behind basic auth (`cijobs serve` decides; ``create_app(review=)``).
"""
from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime
from pathlib import Path

LABELS_SUFFIX = ".labels.jsonl"


def labels_path(db: Path | str) -> Path:
    """The labels file of a warehouse (of ``data/cijobs.duckdb``: ``data/cijobs.labels.jsonl``)."""
    db = Path(db)
    stem = db.stem.removesuffix(".published")
    return db.with_name(stem + LABELS_SUFFIX)


def save_label(path: Path, requirement_id: int, advert_id: int, text: str, competencies: list[str],
               matched: list[str], matcher_version: str | None) -> int:
    """Record a reviewed line (replacing an earlier label of it); returns how many lines the file labels."""
    record = {"requirement_id": requirement_id, "advert_id": advert_id, "text": text,
              "competencies": sorted(set(competencies)), "matched": sorted(set(matched)),
              "verdict": "confirmed" if set(competencies) == set(matched) else "corrected",
              "matcher_version": matcher_version, "labelled_at": datetime.now().isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two reviewers saving at once both keep their label
        kept = [row for row in read_labels(path) if row.get("requirement_id") != requirement_id]
        kept.append(record)
        partial = path.with_name(path.name + ".partial")
        partial.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept), encoding="utf-8")
        os.replace(partial, path)
    return len(kept)


def read_labels(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

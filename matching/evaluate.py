"""Scoring the matcher against labelled requirement lines (``tests/data/requirements_gold.jsonl``).

Micro precision, recall and F1 at competency level and at domain level (a line's domains are
those of its competencies), a per-domain table, and the most frequent false positives and
false negatives with an example line each. Lines run through the same path as production
(boilerplate filter, then the matcher), and the gold file's ``note`` field is never read.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from matching.classify import classify_lines
from matching.matcher import Matcher

DEFAULT_GOLD = Path("tests/data/requirements_gold.jsonl")
BOOTSTRAP_RESAMPLES = 2000


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[str], predicted: set[str]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def found_per_labelled(self) -> float | None:
        """Lines the matcher gave this label per line labelled with it (what demand counts rest on: below 1,
        an under-count); None when nothing was labelled."""
        labelled = self.tp + self.fn
        return (self.tp + self.fp) / labelled if labelled else None

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Evaluation:
    lines: int
    competency: Scores
    domain: Scores
    per_domain: dict[str, Scores]
    empty_lines: int
    empty_correct: int
    false_positives: Counter = field(default_factory=Counter)
    false_negatives: Counter = field(default_factory=Counter)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)
    # per line: competency tp, fp, fn, then domain tp, fp, fn (for the bootstrap)
    line_counts: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)

    @cached_property
    def f1_intervals(self) -> dict[str, tuple[float, float]]:
        """95 % bootstrap intervals of competency and domain F1: the lines are resampled with
        replacement, so the width shows how much a set of this size can say. Read once the evaluation
        is complete (the report and the JSON figures share it)."""
        counts = np.array(self.line_counts, dtype=float).reshape(-1, 6)
        if not len(counts):
            return {"competency": (0.0, 0.0), "domain": (0.0, 0.0)}
        picks = np.random.default_rng(0).integers(0, len(counts), size=(BOOTSTRAP_RESAMPLES, len(counts)))
        totals = counts[picks].sum(axis=1)
        intervals = {}
        for level, offset in (("competency", 0), ("domain", 3)):
            tp, fp, fn = (totals[:, offset + k] for k in range(3))
            f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.ones_like(tp), where=(2 * tp + fp + fn) > 0)
            low, high = np.percentile(f1, [2.5, 97.5])
            intervals[level] = (round(float(low), 4), round(float(high), 4))
        return intervals

    def as_dict(self) -> dict:
        intervals = self.f1_intervals
        return {"lines": self.lines,
                "competency": {**self.competency.as_dict(), "f1_interval_95": list(intervals["competency"])},
                "domain": {**self.domain.as_dict(), "f1_interval_95": list(intervals["domain"])},
                "empty_lines": self.empty_lines, "empty_lines_left_empty": self.empty_correct,
                "per_domain": {d: s.as_dict() for d, s in sorted(self.per_domain.items(), key=lambda i: int(i[0]))}}


SPLITS = ("all", "tune", "holdout")


def split_gold(rows: list[dict], split: str) -> list[dict]:
    """A fixed half of the lines: ``tune`` (even positions) is what the matcher may be tuned on,
    ``holdout`` (odd positions) is only ever scored, so the figure on it stays honest."""
    if split == "all":
        return rows
    wanted = 0 if split == "tune" else 1
    return [row for position, row in enumerate(rows) if position % 2 == wanted]


TEXT_KEYS = ("text", "line", "requirement")
LABEL_KEYS = ("competencies", "competency_ids", "labels")
_ID_SEPARATORS = re.compile(r"[;,|\s]+")


def load_gold(path: Path | str) -> list[dict]:
    """Labelled lines from JSON lines ({"text": ..., "competencies": ["3.2.1", ...]}) or from a CSV file with a
    header (text and competencies columns; several ids in one cell separated by ';', ',' or '|').
    "line"/"requirement" are read as the text, "competency_ids"/"labels" as the ids; ids may also be
    one string ("3.2.1; 4.1.1") or numbers."""
    path = Path(path)
    rows = []
    for number, record in labelled_records(path):
        text = next((record[key] for key in TEXT_KEYS if key in record), None)
        labels = next((record[key] for key in LABEL_KEYS if key in record), None)
        if isinstance(labels, str):
            labels = [part for part in _ID_SEPARATORS.split(labels) if part]
        if not isinstance(text, str) or not isinstance(labels, list):
            raise ValueError(f"{path}:{number}: needs 'text' (string) and 'competencies' (list of ids)")
        rows.append({"id": str(record.get("id") or number), "text": text,
                     "competencies": [str(c) for c in labels]})
    return rows


def labelled_records(path: Path):
    """(line number, record) from a JSON-lines or CSV file."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if path.suffix.lower() == ".csv":
            reader = csv.DictReader(handle)
            for number, record in enumerate(reader, 2):
                yield number, {key.strip().lower(): value for key, value in record.items() if key}
            return
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{number}: needs 'text' (string) and 'competencies' (list of ids)")
            yield number, record


def evaluate(matcher: Matcher, gold: list[dict]) -> Evaluation:
    unknown = {c for row in gold for c in row["competencies"]} - {c.id for c in matcher.framework.competencies}
    if unknown:
        raise ValueError(f"gold labels use ids the framework does not have: {', '.join(sorted(unknown))}")
    results = classify_lines(matcher, [row["text"] for row in gold])
    domain_of = {c.id: c.domain_id for c in matcher.framework.competencies}
    result = Evaluation(len(gold), Scores(), Scores(), defaultdict(Scores), 0, 0)
    for row, found in zip(gold, results):
        gold_ids, predicted = set(row["competencies"]), {m.competency_id for m in found}
        result.competency.add(gold_ids, predicted)
        gold_domains, predicted_domains = {domain_of[c] for c in gold_ids}, {domain_of[c] for c in predicted}
        result.domain.add(gold_domains, predicted_domains)
        result.line_counts.append((len(gold_ids & predicted), len(predicted - gold_ids), len(gold_ids - predicted),
                                   len(gold_domains & predicted_domains), len(predicted_domains - gold_domains),
                                   len(gold_domains - predicted_domains)))
        for domain in gold_domains | predicted_domains:
            result.per_domain[domain].add(gold_domains & {domain}, predicted_domains & {domain})
        if not gold_ids:
            result.empty_lines += 1
            result.empty_correct += not predicted
        for competency in predicted - gold_ids:
            result.false_positives[competency] += 1
            result.examples.setdefault(("fp", competency), row["text"])
        for competency in gold_ids - predicted:
            result.false_negatives[competency] += 1
            result.examples.setdefault(("fn", competency), row["text"])
    return result


def report(evaluation: Evaluation, framework, worst: int = 8) -> str:
    c, d = evaluation.competency, evaluation.domain
    intervals = evaluation.f1_intervals
    lines = [
        f"{evaluation.lines} labelled lines; {evaluation.empty_lines} labelled as matching nothing, "
        f"{evaluation.empty_correct} of them left unmatched",
        f"competency level: precision {c.precision:.3f}  recall {c.recall:.3f}  F1 {c.f1:.3f}  "
        f"(tp {c.tp}, fp {c.fp}, fn {c.fn})",
        f"domain level:     precision {d.precision:.3f}  recall {d.recall:.3f}  F1 {d.f1:.3f}  "
        f"(tp {d.tp}, fp {d.fp}, fn {d.fn})",
        f"95% intervals of F1 (bootstrap over lines, {BOOTSTRAP_RESAMPLES:,} resamples): "
        f"competency {intervals['competency'][0]:.3f}-{intervals['competency'][1]:.3f}, "
        f"domain {intervals['domain'][0]:.3f}-{intervals['domain'][1]:.3f}",
        "",
        "per domain (line level)      precision  recall     F1  labelled  found  found/labelled",
    ]
    for domain in framework.domains:
        s = evaluation.per_domain.get(domain.id, Scores())
        labelled, found = s.tp + s.fn, s.tp + s.fp
        ratio = f"{s.found_per_labelled:14.2f}" if labelled else f"{'-':>14}"
        lines.append(f"  {domain.id} {domain.title[:24]:<24} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} "
                     f"{labelled:9d} {found:6d} {ratio}")
    lines.append("  (found/labelled is what demand figures rest on: lines the matcher puts in the domain, "
                 "against lines labelled with it)")
    for kind, counter, label in (("fp", evaluation.false_positives, "false positives"),
                                 ("fn", evaluation.false_negatives, "false negatives")):
        lines += ["", f"most frequent {label}:"]
        for competency, count in counter.most_common(worst):
            lines.append(f"  {competency:<7} x{count:<3} {framework.competency(competency).statement[:50]}...")
            lines.append(f"          e.g. {evaluation.examples[(kind, competency)][:100]}")
    return "\n".join(lines)

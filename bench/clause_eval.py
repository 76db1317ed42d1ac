"""Clause splitting at match time, measured: the default matcher against the same matcher asked about each clause of
a long line as well as the whole line (advert_text/clauses.py), by line length.

Scored through the production path (matching.evaluate.evaluate -> classify_lines: boilerplate filter, then the
matcher) on the VALIDATION split of the labelled real 2020 lines (both rounds; keys and labels from tests/data, the
texts rebuilt from ../shared/data/nhs_jobs_2020 by bench/real_corpus.py, reserved adverts never read; the test split
is never rebuilt nor scored), and on the helper-written gold and blind lines, which must not get worse. Prints
competency and domain micro precision/recall/F1 per length band (< 100, 100-200, 200-400, 400+ characters) for each
way of combining the clauses' answers, then lines/s through classify_lines on the validation lines.

Combinations (``ClauseMatcher.combine``), each keeping at most the learned stage's cap (3) per line:
- ``max``: every clause re-scored by the learned stage as a line of its own; a competency's score is its best over
  the whole line and its clauses, kept at the model's threshold;
- ``add``: the whole line's answer, then what a clause alone finds at a stricter threshold (``--add-threshold``);
- ``clauses``: only the clauses' answers (the whole line is not asked) on lines that are cut;
- ``phrase-union``: the phrase matcher alone, on the whole line and its clauses, best score per competency.
Evidence is the clause's own: the phrase and words it matched in that clause, or the clause's n-grams.

    .venv/bin/python bench/clause_eval.py [--combine max add clauses phrase-union] [--no-speed]
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advert_text.clauses import MIN_SPLIT_CHARS, clauses  # noqa: E402
from advert_text.extract import is_boilerplate  # noqa: E402
from advert_text.normalise import fold  # noqa: E402
from matching.classify import classify_lines  # noqa: E402
from matching.evaluate import evaluate, load_gold  # noqa: E402
from matching.framework import load_framework  # noqa: E402
from matching.learned import LearnedMatcher, build_matcher, gated_phrase_answers, rescorer_rows, sigmoid  # noqa: E402
from matching.matcher import CompetencyMatch  # noqa: E402

# after the matching package is imported: bench/ has a matching.py of its own
sys.path.append(str(ROOT / "bench"))
import real_corpus  # noqa: E402
from train_matcher_v6 import read_labels, rebuild_texts  # noqa: E402

DATA = ROOT / "tests" / "data"
GOLD, BLIND = DATA / "requirements_gold.jsonl", DATA / "requirements_blind.jsonl"
BANDS = ((0, 100), (100, 200), (200, 400), (400, None))
COMBINATIONS = ("max", "add", "clauses", "phrase-union")
SPEED_REPEATS = 3


class ClauseMatcher:
    """The default matcher, also asked about each clause of a long line; answers as ``Matcher.match_lines`` does."""

    def __init__(self, inner, combine: str = "max", add_threshold: float = 0.5, min_chars: int = MIN_SPLIT_CHARS):
        self.inner, self.combine, self.add_threshold, self.min_chars = inner, combine, add_threshold, min_chars
        self.framework, self.config = inner.framework, inner.config
        self.version = f"clauses-{combine}+{inner.version}"
        self.learned = inner if isinstance(inner, LearnedMatcher) else None
        if combine != "phrase-union" and self.learned is None:
            raise ValueError(f"--combine {combine} needs the learned stage (its model is not there)")

    def domains_of(self, matches: list[CompetencyMatch]) -> list[str]:
        return self.inner.domains_of(matches)

    def clauses_of(self, line: str) -> list[str]:
        """The clauses worth asking about: none for a line left whole; boilerplate clauses left out."""
        parts = clauses(line, self.min_chars)
        return [part for part in parts if not is_boilerplate(part)] if len(parts) > 1 else []

    def match_lines(self, lines: list[str]) -> list[list[CompetencyMatch]]:
        distinct = list(dict.fromkeys(line for line in lines if len(fold(line)) >= self.config.min_line_chars))
        parts = {line: self.clauses_of(line) for line in distinct}
        texts = list(dict.fromkeys(distinct + [part for line in distinct for part in parts[line]]))
        scored = self._phrase_scores(texts) if self.combine == "phrase-union" else self._learned_scores(texts)
        at = {text: i for i, text in enumerate(texts)}
        found = {line: self._combined(scored, at[line], [at[p] for p in parts[line]]) for line in distinct}
        return [list(found.get(line, [])) for line in lines]

    def _learned_scores(self, texts: list[str]) -> list[dict[str, CompetencyMatch]]:
        """Each text's candidates, re-scored as the learned stage scores a line (score 0-100, its own evidence)."""
        learned, model = self.learned, self.learned.model
        probs, asks, x = learned.text_probabilities([fold(text) for text in texts])
        phrase = gated_phrase_answers(learned.phrase.match_lines, texts, probs, model.phrase_gate)
        pairs, rows = rescorer_rows(probs, model.competencies, phrase, texts, model.train_frequency,
                                    model.text_candidates, asks, model.phrase_reliability)
        scores = sigmoid(rows @ model.rescorer_coef + model.rescorer_intercept) if len(rows) else np.zeros(0)
        column = {cid: k for k, cid in enumerate(model.competencies)}
        phrase_of = [{m.competency_id: m for m in answer} for answer in phrase]
        scored: list[dict[str, CompetencyMatch]] = [{} for _ in texts]
        for (i, cid), score in zip(pairs, scores):
            evidence = phrase_of[i][cid].evidence if cid in phrase_of[i] else learned._evidence(x, i, column.get(cid))
            scored[i][cid] = CompetencyMatch(cid, 100 * float(score), evidence)  # rounded once kept
        return scored

    def _phrase_scores(self, texts: list[str]) -> list[dict[str, CompetencyMatch]]:
        phrase = self.learned.phrase if self.learned else self.inner
        return [{m.competency_id: m for m in answer} for answer in phrase.match_lines(texts)]

    def _combined(self, scored, whole: int, parts: list[int]) -> list[CompetencyMatch]:
        if self.combine == "phrase-union":
            return _best_first(_best_of([scored[whole], *(scored[p] for p in parts)]), 0.0, self.config.top_k)
        model, domain_of = self.learned.model, {c.id: c.domain_id for c in self.learned.framework.competencies}

        def threshold(cid: str) -> float:  # the model's threshold for the competency's domain
            return 100 * model.domain_thresholds.get(domain_of[cid], model.threshold)

        cap = min(self.learned.model.max_per_line, self.config.top_k)
        answer = _best_first(scored[whole], threshold, cap)
        if not parts:
            return answer
        if self.combine == "max":
            return _best_first(_best_of([scored[whole], *(scored[p] for p in parts)]), threshold, cap)
        if self.combine == "clauses":
            return _best_first(_best_of([scored[p] for p in parts]), threshold, cap)
        taken = {m.competency_id for m in answer}
        extra = {cid: m for cid, m in _best_of([scored[p] for p in parts]).items() if cid not in taken}
        return (answer + _best_first(extra, 100 * self.add_threshold, cap))[:cap]


def _best_of(answers: list[dict[str, CompetencyMatch]]) -> dict[str, CompetencyMatch]:
    """Per competency, its best-scored match among the whole line's and its clauses' (the first on a tie)."""
    best: dict[str, CompetencyMatch] = {}
    for answer in answers:
        for cid, match in answer.items():
            if cid not in best or match.score > best[cid].score:
                best[cid] = match
    return best


def _best_first(matches: dict[str, CompetencyMatch], threshold, cap: int) -> list[CompetencyMatch]:
    """The matches at or above the threshold (a number, or a competency's own from a function), best first."""
    at_least = threshold if callable(threshold) else (lambda _: threshold)
    kept = sorted((m for m in matches.values() if m.score >= at_least(m.competency_id)),
                  key=lambda m: (-m.score, m.competency_id))
    return [replace(m, score=round(m.score, 1)) for m in kept[:cap]]


def validation_rows() -> list[dict]:
    """The validation split of both rounds, texts rebuilt from the corpus (no other split's text is read)."""
    labels = [row for row in read_labels() if row["split"] == "validation"]
    texts, _ = rebuild_texts({row["key"] for row in labels})
    missing = [row["key"] for row in labels if row["key"] not in texts]
    if missing:
        raise SystemExit(f"{len(missing)} validation lines are not in the corpus (first: {missing[0]})")
    return [{"id": row["key"], "text": texts[row["key"]], "competencies": list(row["competencies"])}
            for row in labels]


def in_band(row: dict, band: tuple[int, int | None]) -> bool:
    low, high = band
    return low <= len(row["text"]) and (high is None or len(row["text"]) < high)


def band_name(band: tuple[int, int | None]) -> str:
    return f"{band[0]}+" if band[1] is None else f"<{band[1]}" if band[0] == 0 else f"{band[0]}-{band[1]}"


def scores_line(evaluation) -> str:
    c, d = evaluation.competency, evaluation.domain
    return (f"competency F1 {c.f1:.3f} (P {c.precision:.3f} R {c.recall:.3f})  "
            f"domain F1 {d.f1:.3f} (P {d.precision:.3f} R {d.recall:.3f})")


def report_set(name: str, rows: list[dict], matchers: dict[str, object], by_band: bool) -> None:
    print(f"\n{name}")
    parts = [(band_name(band), [r for r in rows if in_band(r, band)]) for band in BANDS] if by_band else []
    for label, part in [*parts, ("all", rows)]:
        if not part:
            print(f"  {label:>8}: no lines")
            continue
        labelled = sum(len(r["competencies"]) for r in part)
        print(f"  {label:>8}: {len(part)} lines, {labelled} labels")
        for matcher_name, matcher in matchers.items():
            print(f"    {matcher_name:<22} {scores_line(evaluate(matcher, part))}")


def changes(current, other, rows: list[dict]) -> str:
    """What the clauses change in a matcher's answers: matches added and dropped, and how many of each a reader
    labelled."""
    lines = [r["text"] for r in rows]
    added = dropped = added_right = dropped_right = 0
    for row, before, after in zip(rows, classify_lines(current, lines), classify_lines(other, lines)):
        labelled = set(row["competencies"])
        was, now = {m.competency_id for m in before}, {m.competency_id for m in after}
        added, added_right = added + len(now - was), added_right + len((now - was) & labelled)
        dropped, dropped_right = dropped + len(was - now), dropped_right + len((was - now) & labelled)
    return f"{added} matches added ({added_right} labelled), {dropped} dropped ({dropped_right} labelled)"


def lines_per_second(make_matcher, lines: list[str]) -> float:
    """Best of a few runs of classify_lines over the lines, a fresh matcher each time (its word memory empty)."""
    best = 0.0
    for _ in range(SPEED_REPEATS):
        matcher = make_matcher()
        started = time.perf_counter()
        classify_lines(matcher, lines)
        best = max(best, len(lines) / (time.perf_counter() - started))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--combine", nargs="+", choices=COMBINATIONS, default=list(COMBINATIONS))
    parser.add_argument("--add-threshold", type=float, default=0.5, help="a clause's own threshold with --combine add")
    parser.add_argument("--min-chars", type=int, default=MIN_SPLIT_CHARS, help="lines shorter than this stay whole")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    if not real_corpus.DEFAULT_CORPUS.is_file():
        print(f"skipped: no corpus at {real_corpus.DEFAULT_CORPUS}")
        return 0
    framework = load_framework()
    current = build_matcher(framework)
    print(f"current matcher: {current.version}")

    def with_clauses(combine: str) -> ClauseMatcher:
        return ClauseMatcher(build_matcher(framework), combine, args.add_threshold, args.min_chars)

    matchers = {"current": current, **{f"clauses, {c}": with_clauses(c) for c in args.combine}}
    if "phrase-union" in args.combine:
        matchers = {"phrase alone": build_matcher(framework, stage="phrase"), **matchers}
    rows = validation_rows()
    splitter = ClauseMatcher(current, "phrase-union", min_chars=args.min_chars)
    asked = [r for r in rows if not is_boilerplate(r["text"])]
    cut = sum(len(splitter.clauses_of(r["text"])) > 1 for r in asked)
    print(f"validation: {len(rows)} lines, {len(asked)} not boilerplate, {cut} of those cut into clauses "
          f"(only lines of {args.min_chars}+ characters are cut)")
    report_set("VALIDATION (both rounds; what decides)", rows, matchers, by_band=True)
    print("\nvalidation answers changed by the clauses (phrase-union: against the phrase matcher alone):")
    for name, matcher in matchers.items():
        if name.startswith("clauses"):
            before = matchers["phrase alone"] if name.endswith("phrase-union") else current
            print(f"  {name:<22} {changes(before, matcher, rows)}")
    report_set("gold (helper-written; must not get worse)", load_gold(GOLD), matchers, by_band=True)
    report_set("blind (helper-written; must not get worse)", load_gold(BLIND), matchers, by_band=True)
    if not args.no_speed:
        lines = list(dict.fromkeys(r["text"] for r in rows))
        print(f"\nspeed through classify_lines, {len(lines)} distinct validation lines (best of {SPEED_REPEATS}):")
        base = {"current": lines_per_second(lambda: build_matcher(framework), lines)}
        if "phrase-union" in args.combine:
            base["phrase alone"] = lines_per_second(lambda: build_matcher(framework, stage="phrase"), lines)
        for name, speed in base.items():
            print(f"  {name:<22} {speed:7.0f} lines/s")
        for combine in args.combine:
            after = lines_per_second(lambda c=combine: with_clauses(c), lines)
            against = "phrase alone" if combine == "phrase-union" else "current"
            print(f"  {'clauses, ' + combine:<22} {after:7.0f} lines/s ({after / base[against]:.2f}x {against})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

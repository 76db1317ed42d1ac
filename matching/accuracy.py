"""The matcher's measured accuracy, as recorded by `cijobs eval --record`, for people reading its output.

The dashboard and `cijobs profile` quote the blind set's figures (lines written by people who
never saw the matcher) and those on real advert lines (`bench/real_lines_eval.py`) next to what the
matcher found, but only for the matcher and framework versions they were measured on: after any
change they say the figures are stale instead.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

RECORDS = {"gold": "accuracy-gold.json", "blind": "accuracy-blind.json", "real": "accuracy-real2020.json"}


def record_path(name: str) -> Path:
    return Path(str(resources.files("matching") / "data" / RECORDS[name]))


def recorded(name: str = "blind") -> dict | None:
    try:
        return json.loads(record_path(name).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _measured_for(figures: dict, matcher_version: str | None, framework_version: str | None) -> bool:
    return (figures.get("matcher_version"), figures.get("framework_version")) == (matcher_version, framework_version)


def accuracy_note(matcher_version: str | None, framework_version: str | None) -> str:
    """One sentence on how far to trust the matches made by these versions."""
    figures = recorded("blind")
    if not figures:
        return "The matcher's accuracy has not been measured."
    if not _measured_for(figures, matcher_version, framework_version):
        return ("The matcher's accuracy was measured for another matcher or framework version "
                f"({figures.get('matcher_version')}, framework {figures.get('framework_version')}): "
                "run `cijobs eval` on labelled lines before relying on these matches.")
    competency, domain = figures["competency"], figures["domain"]
    note = (f"Accuracy on {figures['lines']} labelled lines the matcher never saw: competency F1 "
            f"{competency['f1']:.2f} (95% interval {_interval(competency)}), domain F1 {domain['f1']:.2f} "
            f"({_interval(domain)}); about {1 - competency['precision']:.0%} of competency matches are ones a "
            "careful reader would not make.")
    real = recorded("real")
    if real and _measured_for(real, matcher_version, framework_version):
        note += (f" On {real['lines']} lines of real 2020 adverts, prose included, competency F1 is "
                 f"{real['competency']['f1']:.2f} and domain F1 {real['domain']['f1']:.2f}, so treat a single match "
                 "as a lead to check and demand figures as estimates")
    return note + " (docs/matching.md)."


def _interval(level: dict) -> str:
    low, high = level["f1_interval_95"]
    return f"{low:.2f}-{high:.2f}"


def domain_count_ratios(matcher_version: str | None, framework_version: str | None) -> dict[str, float]:
    """Per domain, on the recorded real advert lines: lines the matcher put in the domain per line a reader
    labelled with it (below 1, demand for the domain is under-counted). Empty when not measured for these
    versions."""
    from matching.evaluate import Scores

    real = recorded("real")
    if not real or not _measured_for(real, matcher_version, framework_version):
        return {}
    scores = {domain: Scores(s["tp"], s["fp"], s["fn"]) for domain, s in real.get("per_domain", {}).items()}
    return {domain: s.found_per_labelled for domain, s in scores.items() if s.found_per_labelled is not None}

"""`cijobs train`: retrain the learned matching stage on one's own labelled lines (e.g. a trust's adverts, reviewed
on the dashboard), score it against the matcher in use on adverts it never saw, and write it when it is no worse.

Lines come from files in `cijobs eval --gold`'s format, whose rows may name their advert (``advert_id``, ``advert``
or ``group``), and from the dashboard's review labels beside the warehouse (``dashboard/review.py``). Lines of one
advert stay together; a line with no advert is grouped with the lines of the same text. About a quarter of the
lines, whole adverts chosen by a hash of their ids (a stable split), are held out as validation: the re-scorer's
threshold is tuned on them, then the new model and the current matcher are both scored on them. Fitting is
``matching.training``'s, as for the shipped model, so its rules hold: n-grams of at least five different adverts,
text models only for competencies with ten training lines (the rest stay with the phrase matcher).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from advert_text.normalise import fold
from cijobs.errors import UserError
from matching.evaluate import evaluate, labelled_records, load_gold
from matching.framework import Framework, load_framework
from matching.learned import MODEL_NAME, LearnedMatcher, LearnedModel, build_matcher, model_dir, weights_hash
from matching.matcher import Matcher
from matching.training import MIN_TRAIN_LINES, TrainingError, stable_hash, train

MIN_LINES = 100           # fewer labelled lines cannot say whether a model is better
MIN_ADVERTS = 10          # adverts (or distinct lines without one) to split and build a vocabulary from
VALIDATION_SHARE = 0.25   # of the lines, whole adverts, held out
GROUP_KEYS = ("advert_id", "advert", "group")


@dataclass
class Outcome:
    out: Path
    new_f1: tuple[float, float]       # competency, domain micro-F1 on validation
    current_f1: tuple[float, float]
    weights_id: str


def read_labelled_file(path: Path, known_ids: set[str]) -> list[dict]:
    """A file of labelled lines as training rows; one-line errors for what cannot be read or used."""
    if path.is_dir():
        raise UserError(f"{path}: is a directory, not a file of labelled lines")
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        labelled = load_gold(path)
        records = list(labelled_records(path))
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    rows = []
    for (number, record), line in zip(records, labelled):
        unknown = sorted(set(line["competencies"]) - known_ids)
        if unknown:
            raise UserError(f"{path}:{number}: unknown competency id {unknown[0]!r} (ids look like 3.1.4; "
                            "`cijobs framework show` lists them)")
        group = next((str(record[key]) for key in GROUP_KEYS if record.get(key) not in (None, "")), None)
        rows.append({"id": f"{path}:{number}", "text": line["text"], "folded": fold(line["text"]),
                     "competencies": sorted(set(line["competencies"])), "weight": 1.0,
                     "advert": f"advert:{group}" if group is not None else f"line:{line['text']}"})
    return rows


def split_by_advert(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(train, validation): whole adverts in the order of a hash of their ids go to validation until it holds
    about VALIDATION_SHARE of the lines; an advert that would take it far past that stays in training."""
    sizes = Counter(r["advert"] for r in rows)
    target = VALIDATION_SHARE * len(rows)
    held, validation_adverts = 0, set()
    for advert in sorted(sizes, key=lambda a: (stable_hash(a), a)):
        if held >= target:
            break
        if held + sizes[advert] <= 1.6 * target:
            validation_adverts.add(advert)
            held += sizes[advert]
    return ([r for r in rows if r["advert"] not in validation_adverts],
            [r for r in rows if r["advert"] in validation_adverts])


def check_enough(rows: list[dict], train_rows: list[dict], sources: str) -> None:
    if not rows:
        raise UserError(f"no labelled lines in {sources}")
    if len(rows) < MIN_LINES:
        raise UserError(f"only {len(rows)} labelled lines in {sources}: training needs at least {MIN_LINES}")
    adverts = len({r["advert"] for r in rows})
    if adverts < MIN_ADVERTS:
        raise UserError(f"the {len(rows)} labelled lines come from only {adverts} advert{'s' * (adverts > 1)}: "
                        f"training needs lines of at least {MIN_ADVERTS} (a vocabulary word must be in 5 adverts, "
                        "and some are held out)")
    per_competency = Counter(c for r in train_rows for c in r["competencies"])
    if not per_competency or per_competency.most_common(1)[0][1] < MIN_TRAIN_LINES:
        most = (f" (the most: {per_competency.most_common(1)[0][0]}, {per_competency.most_common(1)[0][1]})"
                if per_competency else "")
        raise UserError(f"no competency has {MIN_TRAIN_LINES} labelled lines in the training part{most}: label "
                        "more lines that ask for competencies")


def retrain(rows: list[dict], sources: str, out: Path, *, force: bool = False, framework: Framework | None = None,
            say: Callable[[str], None] = print) -> Outcome:
    """Fit on the training part, score the new model and the current matcher on validation, write the model to
    ``out`` unless it scores below the current matcher (or ``force``)."""
    started = time.monotonic()
    if out.resolve() == model_dir().resolve():
        raise UserError(f"--out {out}: that is the model cijobs ships; write yours to another folder")
    framework = framework or load_framework()
    train_rows, validation = split_by_advert(rows)
    check_enough(rows, train_rows, sources)
    adverts = Counter(r["advert"] for r in rows)
    say(f"{len(rows)} labelled lines ({sources}) from {len(adverts)} adverts: training {len(train_rows)} lines, "
        f"validation {len(validation)} lines ({len({r['advert'] for r in validation})} adverts, never trained on)")
    phrase = Matcher(framework)
    distinct = sorted({r["text"] for r in rows})
    phrase_answers = dict(zip(distinct, phrase.match_lines(distinct)))
    try:
        model, _ = train(train_rows, validation, phrase, phrase_answers, log=say,
                              notes={"trained_by": "cijobs train", "labelled_lines": len(rows),
                                     "validation_lines": len(validation)})
    except TrainingError as exc:
        raise UserError(str(exc)) from exc
    labelled = {c for r in train_rows for c in r["competencies"]}
    say(f"{len(model.competencies)} competencies learned (at least {MIN_TRAIN_LINES} training lines each); "
        f"{len(labelled - set(model.competencies))} other labelled competencies come from the phrase matcher alone")
    with tempfile.TemporaryDirectory(prefix="cijobs-train-") as tmp:
        candidate = Path(tmp)
        model.save(candidate)
        weights_id = weights_hash(candidate)
        new = LearnedMatcher(Matcher(framework), LearnedModel.load(candidate), weights_id)
        current = build_matcher(framework)
        scored = {"current": evaluate(current, validation), "new": evaluate(new, validation)}
        say(f"validation ({len(validation)} lines), micro-F1:")
        for name, matcher in (("current", current), ("new", new)):
            figures = scored[name]
            say(f"  {name:7} competency {figures.competency.f1:.3f}  domain {figures.domain.f1:.3f}  "
                f"({matcher.version})")
        new_f1 = (scored["new"].competency.f1, scored["new"].domain.f1)
        current_f1 = (scored["current"].competency.f1, scored["current"].domain.f1)
        worse = new_f1[0] < current_f1[0]
        if worse and not force:
            raise UserError(f"the new model scores below the current matcher on validation (competency F1 "
                            f"{new_f1[0]:.3f} < {current_f1[0]:.3f}): not written; --force writes it anyway")
        try:
            _install(candidate, out)
        except OSError as exc:
            raise UserError(f"--out {out}: cannot write the model there ({exc.strerror or exc})") from exc
    say(f"wrote {out / (MODEL_NAME + '.json')} and {out / (MODEL_NAME + '.npz')} (weights hash {weights_id})"
        + (", although it scores below the current matcher (--force)" if worse else "")
        + f" in {time.monotonic() - started:.0f}s")
    say(f"use it: CIJOBS_MODEL_DIR={out} for one command, or in cijobs.toml [matching] model = \"{out}\"; "
        "then `cijobs match` re-matches the warehouse with it (its matcher version differs)")
    return Outcome(out, new_f1, current_f1, weights_id)


def _install(candidate: Path, out: Path) -> None:
    """Copy the model files into ``out``, each replaced whole."""
    out.mkdir(parents=True, exist_ok=True)
    for suffix in (".json", ".npz"):
        partial = out / f"{MODEL_NAME}{suffix}.partial"
        shutil.copyfile(candidate / f"{MODEL_NAME}{suffix}", partial)
        os.replace(partial, out / f"{MODEL_NAME}{suffix}")

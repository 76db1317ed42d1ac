"""`cijobs train` as a user meets it: labelled lines of their own in, a model written beside the warehouse that
`cijobs classify`, `eval` and `match` then use when CIJOBS_MODEL_DIR or cijobs.toml's `[matching] model` names it;
a model worse than the current matcher refused unless forced; one-line errors for labels it cannot use."""
from __future__ import annotations

import json
import shutil

import pytest

from cijobs.cli import main
from cijobs.retraining import MIN_LINES, read_labelled_file, split_by_advert
from matching.framework import load_framework
from matching.learned import MODEL_DIR_VARIABLE, model_dir, weights_hash
from tests.conftest import run_cijobs
from tests.matching.written_lines import labelled_lines, write_lines

IDS = {c.id for c in load_framework().competencies}
PROBE = "Mentors and coaches junior analysts across the service\nExperience of writing SQL queries\n"


def _one_line_error(result) -> str:
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model trained through the CLI on written lines, written to its default place beside the warehouse."""
    work = tmp_path_factory.mktemp("train")
    labels = write_lines(work / "labels.jsonl", labelled_lines())
    result = run_cijobs("train", "--gold", str(labels), "--db", str(work / "data" / "cijobs.duckdb"))
    return work, work / "data" / "model", result


def test_train_writes_the_model_beside_the_warehouse_and_says_how_to_use_it(trained):
    work, model, result = trained
    assert (model / "v6.json").is_file() and (model / "v6.npz").is_file()
    out = result.stdout
    assert "validation" in out and "current competency" in out and "new     competency" in out
    assert f"weights hash {weights_hash(model)}" in out and f"CIJOBS_MODEL_DIR={model}" in out
    assert json.loads((model / "v6.json").read_text(encoding="utf-8"))["info"]["trained_by"] == "cijobs train"


def test_classify_and_eval_use_the_trained_model_when_the_environment_or_the_config_names_it(trained):
    work, model, _ = trained
    by_default = run_cijobs("classify", input=PROBE).stdout
    by_environment = run_cijobs("classify", input=PROBE, env={MODEL_DIR_VARIABLE: str(model)}).stdout
    (work / "cijobs.toml").write_text('[matching]\nmodel = "data/model"\n', encoding="utf-8")
    by_config = run_cijobs("classify", input=PROBE, cwd=work).stdout
    assert by_environment == by_config != by_default
    versions = [json.loads(run_cijobs("eval", "--json", "--gold", str(work / "labels.jsonl"), cwd=work,
                                      env=env).stdout)["matcher_version"]
                for env in ({}, {MODEL_DIR_VARIABLE: str(model_dir())})]
    assert versions[0].startswith(f"learned-v6@{weights_hash(model)}.")  # the config's model
    assert versions[1].startswith(f"learned-v6@{weights_hash(model_dir())}.")  # the environment wins over it


def test_a_model_worse_than_the_current_matcher_is_refused_unless_forced(tmp_path):
    lines = labelled_lines()
    clean = read_labelled_file(write_lines(tmp_path / "clean.jsonl", lines), IDS)
    validation = {int(r["id"].rsplit(":", 1)[1]) for r in split_by_advert(clean)[1]}  # line numbers
    swap = {"3.1.4": ["6.3.2"], "6.3.2": ["3.1.4"], "4.2.1": ["3.4.1"], "3.4.1": ["4.2.1"]}
    wrong = [r if n in validation else {**r, "competencies": swap.get((r["competencies"] or ["-"])[0], [])}
             for n, r in enumerate(lines, 1)]  # wrong labels in training only
    labels = write_lines(tmp_path / "wrong.jsonl", wrong)
    out = tmp_path / "model"
    refused = run_cijobs("train", "--gold", str(labels), "--out", str(out), check=False)
    assert "scores below the current matcher" in _one_line_error(refused) and "--force" in refused.stderr
    assert "current competency" in refused.stdout and not out.exists()
    forced = run_cijobs("train", "--gold", str(labels), "--out", str(out), "--force")
    assert (out / "v6.npz").is_file() and "although it scores below the current matcher" in forced.stdout


def _error(capsys, *args: str) -> str:
    assert main(["train", *args]) != 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_unusable_labels_are_one_line_errors(tmp_path, capsys):
    lines = labelled_lines()
    good = write_lines(tmp_path / "good.jsonl", lines)
    assert "no labels: give --gold FILE" in _error(capsys, "--db", str(tmp_path / "w.duckdb"))
    assert "no such file" in _error(capsys, "--gold", str(tmp_path / "missing.jsonl"))
    (tmp_path / "latin1.jsonl").write_bytes('{"text": "caf\xe9", "competencies": []}\n'.encode("latin-1"))
    assert "not UTF-8" in _error(capsys, "--gold", str(tmp_path / "latin1.jsonl"))
    (tmp_path / "broken.jsonl").write_text('{"text": "a", "competencies": []}\n{"text": \n', encoding="utf-8")
    assert "broken.jsonl:2: not JSON" in _error(capsys, "--gold", str(tmp_path / "broken.jsonl"))
    unknown = write_lines(tmp_path / "unknown.jsonl", lines[:6] + [{**lines[6], "competencies": ["9.9.9"]}])
    assert "unknown.jsonl:7: unknown competency id '9.9.9'" in _error(capsys, "--gold", str(unknown))
    few = write_lines(tmp_path / "few.jsonl", lines[:MIN_LINES - 1])
    assert f"only {MIN_LINES - 1} labelled lines" in _error(capsys, "--gold", str(few))
    empty = write_lines(tmp_path / "empty.jsonl", [])
    assert "no labelled lines in" in _error(capsys, "--gold", str(empty))
    one_advert = write_lines(tmp_path / "one.jsonl", [{**r, "advert_id": "A"} for r in lines])
    assert "come from only 1 advert:" in _error(capsys, "--gold", str(one_advert))
    nothing = write_lines(tmp_path / "nothing.jsonl", [{**r, "competencies": []} for r in lines])
    assert "no competency has 10 labelled lines" in _error(capsys, "--gold", str(nothing))
    assert "no review labels beside the warehouse" in _error(capsys, "--from-warehouse", "--db",
                                                             str(tmp_path / "w.duckdb"))
    assert "the model cijobs ships" in _error(capsys, "--gold", str(good), "--out", str(model_dir()))


def test_the_dashboards_review_labels_train_too(tmp_path):
    """--from-warehouse reads <warehouse>.labels.jsonl, whose rows name their advert and requirement."""
    rows = [{"requirement_id": n, "advert_id": int(r["advert_id"][1:]), "text": r["text"],
             "competencies": r["competencies"], "matched": [], "verdict": "corrected"}
            for n, r in enumerate(labelled_lines(), 1)]
    write_lines(tmp_path / "cijobs.labels.jsonl", rows)
    result = run_cijobs("train", "--from-warehouse", "--db", str(tmp_path / "cijobs.duckdb"), "--force")
    assert "from 36 adverts" in result.stdout and (tmp_path / "model" / "v6.npz").is_file()


@pytest.mark.slow
def test_match_rematches_what_another_model_matched(crawled_db, trained, tmp_path):
    _, model, _ = trained
    db = tmp_path / "cijobs.duckdb"
    shutil.copyfile(crawled_db, db)
    run_cijobs("match", "--db", str(db))  # whatever the copy held: now the default matcher's matches
    other = run_cijobs("match", "--db", str(db), env={MODEL_DIR_VARIABLE: str(model)}).stdout
    assert not other.startswith("matched 0 ") and f"learned-v6@{weights_hash(model)}." in other
    again = run_cijobs("match", "--db", str(db), env={MODEL_DIR_VARIABLE: str(model)}).stdout
    assert again.startswith("matched 0 requirement lines")
    back = run_cijobs("match", "--db", str(db)).stdout
    assert not back.startswith("matched 0 ") and f"learned-v6@{weights_hash(model_dir())}." in back

"""The `cijobs` command as a user meets it: one-line errors, never a traceback."""
from __future__ import annotations

import pytest

from tests.conftest import run_cijobs


def _one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_option_is_one_line(tmp_path):
    line = _one_line_error(run_cijobs("crawl", "nhsjobs", "--no-such-option", check=False))
    assert "unrecognized arguments: --no-such-option" in line


def test_unknown_source_is_one_line():
    line = _one_line_error(run_cijobs("crawl", "monster", check=False))
    assert "invalid choice: 'monster'" in line


@pytest.mark.parametrize("command", [["status"], ["serve"], ["export", "adverts"], ["match"]])
def test_missing_database_is_one_line(tmp_path, command):
    missing = tmp_path / "nowhere.duckdb"
    line = _one_line_error(run_cijobs(*command, "--db", str(missing), check=False))
    assert str(missing) in line and "no warehouse here" in line
    assert not missing.exists()


@pytest.mark.parametrize("command", [["status"], ["export", "adverts"], ["match"]])
def test_corrupt_database_is_one_line_and_left_alone(tmp_path, command):
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a duckdb file\n" * 100)
    line = _one_line_error(run_cijobs(*command, "--db", str(corrupt), check=False))
    assert str(corrupt) in line
    assert corrupt.read_bytes() == b"this is not a duckdb file\n" * 100


def test_db_is_accepted_before_and_after_the_subcommand(crawled_db):
    before = run_cijobs("--db", str(crawled_db), "status")
    after = run_cijobs("status", "--db", str(crawled_db))
    assert before.stdout == after.stdout
    assert "adverts" in before.stdout


def test_db_comes_from_the_environment(crawled_db):
    result = run_cijobs("status", env={"CIJOBS_DB": str(crawled_db)})
    assert "adverts" in result.stdout


def test_every_subcommand_has_help():
    from cijobs.cli import build_parser

    commands = next(action for action in build_parser()._actions if action.dest == "command").choices
    assert len(commands) == 16
    for command in commands:
        result = run_cijobs(command, "--help")
        assert result.stdout.startswith(f"usage: cijobs {command}")


def test_framework_validate_and_show():
    validate = run_cijobs("framework", "validate")
    assert "6 domains, 36 subdomains, 111 competencies" in validate.stdout
    show = run_cijobs("framework", "show")
    assert "reconstructed" in show.stdout.lower()
    assert "1.1.1" in show.stdout


def test_status_of_an_empty_warehouse_says_what_to_do_not_none(tmp_path):
    import warehouse

    db = tmp_path / "w.duckdb"
    warehouse.open_warehouse(db).close()
    output = run_cijobs("status", "--db", str(db)).stdout
    assert "None" not in output and "no adverts yet (run cijobs refresh" in output


def test_after_the_demo_a_command_says_which_db_to_pass(tmp_path):
    import warehouse

    (tmp_path / "data").mkdir()
    warehouse.open_warehouse(tmp_path / "data" / "demo.duckdb").close()
    result = run_cijobs("status", check=False, cwd=tmp_path, env={"CIJOBS_DB": ""})
    assert result.returncode != 0 and "pass `--db data/demo.duckdb`" in result.stderr


def test_the_command_starts_without_the_warehouse_stack():
    """`cijobs classify` and each of its matching workers import the CLI: pandas and the query modules (a third of
    a second, 35 MB a process) load only when a command opens the warehouse."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    probe = ("import sys, cijobs.cli, warehouse; print(sorted(m for m in ('pandas', 'warehouse.adverts', "
             "'warehouse.demand') if m in sys.modules)); print(callable(warehouse.publish))")
    loaded, publish_callable = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                                              check=True).stdout.splitlines()
    assert loaded == "[]" and publish_callable == "True"

"""README and docs say what the code does: every configuration block in the docs passes the schema, every
setting is documented with its true default, and every command the docs name exists (and every command is
named in the README)."""
from __future__ import annotations

import re
import tomllib

import pytest

from cijobs.cli import build_parser
from cijobs.config import ConfigFile, FiguresSection, RefreshSection, SourceSection, WarehouseSection
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
OPERATIONS = ROOT / "docs" / "operations.md"


def _toml_blocks(path) -> list[dict]:
    return [tomllib.loads(block) for block in re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)]


def _code(path) -> str:
    """The text of a page's code: fenced blocks and `inline` spans."""
    text = path.read_text(encoding="utf-8")
    blocks = [re.sub(r"\s#.*$", "", block, flags=re.M) for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S)]
    return "\n".join([*blocks, *re.findall(r"`([^`\n]+)`", text)])  # shell comments left out


def test_every_configuration_block_in_the_docs_passes_the_schema():
    blocks = _toml_blocks(OPERATIONS)
    assert blocks
    for block in blocks:
        ConfigFile.model_validate(block)  # an unknown or misspelt key would fail here


@pytest.mark.parametrize("section, model", [("warehouse", WarehouseSection), ("refresh", RefreshSection),
                                            ("figures", FiguresSection), ("sources", SourceSection)])
def test_every_setting_is_shown_in_the_docs(section, model):
    shown = set()
    for block in _toml_blocks(OPERATIONS):
        tables = block.get(section, {})
        for table in (tables.values() if section == "sources" else [tables]):
            shown |= set(table)
    assert set(model.model_fields) <= shown, set(model.model_fields) - shown


def test_the_figures_table_gives_each_setting_its_true_default():
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", OPERATIONS.read_text(encoding="utf-8"), re.M)
    documented = {key: value.strip() for key, value in rows if key in FiguresSection.model_fields}
    assert set(documented) == set(FiguresSection.model_fields)
    for key, default in documented.items():
        assert float(default) == float(FiguresSection.model_fields[key].default), key


def test_every_command_the_docs_name_exists_and_the_readme_names_every_command():
    commands = set(next(action for action in build_parser()._actions if action.dest == "command").choices)
    named = {word for path in DOCS for word in re.findall(r"(?:^|[\s`/(])cijobs ([a-z][a-z-]*)", _code(path), re.M)}
    assert named - commands == set(), f"the docs name commands that do not exist: {named - commands}"
    in_readme = set(re.findall(r"(?:^|[\s`/(])cijobs ([a-z][a-z-]*)", _code(ROOT / "README.md"), re.M))
    assert commands - in_readme == set(), f"commands the README never names: {commands - in_readme}"
    import cijobs.cli

    assert set(re.findall(r"[a-z]+", cijobs.cli.__doc__.split(":", 1)[1])) == commands  # `cijobs --help` lists all

"""Bad input gets one clear line, never a traceback or an HTTP 500: a truncated warehouse for every command and
for the dashboard, a warehouse published by an older cijobs, and forged callback payloads."""
from __future__ import annotations

import itertools
import shutil
import socket
from pathlib import Path

import pytest

import warehouse
from tests.conftest import run_cijobs

FORGED_VALUES = [None, "not-a-date", -1, ["a", "list"], {"a": "dict"}, "'; DROP TABLE adverts; --", 10**12, ""]


@pytest.fixture(scope="module")
def truncated(crawled_db, tmp_path_factory) -> Path:
    """The crawled warehouse cut to 35 %, as a disk that filled up or a half-finished copy leaves it."""
    path = tmp_path_factory.mktemp("damaged") / "cijobs.duckdb"
    body = crawled_db.read_bytes()
    path.write_bytes(body[: len(body) * 35 // 100])
    return path


@pytest.mark.parametrize("command", [["status"], ["export", "adverts"], ["export", "demand"], ["export", "trend"],
                                     ["profile", "-", "--title", "Analyst"], ["match"], ["serve", "--port", "{port}"]])
def test_a_truncated_warehouse_is_one_line_for_every_command(truncated, command):
    command = [part.format(port=_free_port()) for part in command]
    result = run_cijobs(*command, "--db", str(truncated), check=False, input="Experience of SQL\n", timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0, result.stderr
    assert "error:" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dash_client(db: Path):
    from dashboard.app import create_app

    client = create_app(db).server.test_client()
    assert client.get("/").status_code == 200
    return client


def _forged_payloads(dependencies: list[dict]):
    """For every callback, requests whose inputs and states carry values no page would send."""
    for callback, value in itertools.product(dependencies, FORGED_VALUES):
        yield callback["output"], {"output": callback["output"], "outputs": _outputs(callback["output"]),
                                   "inputs": _props(callback["inputs"], value),
                                   "state": _props(callback["state"], value),
                                   "changedPropIds": [f"{i['id']}.{i['property']}" for i in callback["inputs"]]}


def _props(items: list[dict], value) -> list[dict]:
    return [{"id": item["id"], "property": item["property"], "value": value} for item in items]


def _outputs(output: str):
    parts = [part for part in output.strip(".").split("...") if part]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]
    return outputs if output.startswith("..") else outputs[0]


def test_forged_callback_payloads_are_refused_quietly(crawled_db):
    client = _dash_client(crawled_db)
    dependencies = client.get("/_dash-dependencies").get_json()
    assert len(dependencies) > 10
    answers = {(output, client.post("/_dash-update-component", json=payload).status_code)
               for output, payload in _forged_payloads(dependencies)}
    assert not [answer for answer in answers if answer[1] >= 500]


def test_the_dashboard_on_a_truncated_warehouse_says_so_and_answers_no_500(crawled_db, tmp_path):
    db = tmp_path / "cijobs.duckdb"
    shutil.copy(crawled_db, db)
    client = _dash_client(db)
    dependencies = client.get("/_dash-dependencies").get_json()
    body = crawled_db.read_bytes()
    db.write_bytes(body[: len(body) * 35 // 100])  # damaged while the dashboard is up
    warehouse.published_path(db).unlink(missing_ok=True)
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and "cannot be read" in layout.get_data(as_text=True)
    statuses = [client.post("/_dash-update-component", json=payload).status_code
                for _, payload in _forged_payloads(dependencies)]
    assert statuses and max(statuses) < 500

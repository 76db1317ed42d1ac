"""The Dash app as a whole: every callback is wired to components that exist (Dash's own validation is on)."""
from __future__ import annotations

import json
import re


def _component_ids(component) -> set[str]:
    found = set()
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if getattr(node, "id", None) is not None and isinstance(node.id, str):
            found.add(node.id)
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            stack.append(children)
    return found


def _callback_ids(app) -> set[str]:
    ids = set()
    for output, spec in app.callback_map.items():
        ids.update(part.split(".")[0] for part in output.strip(".").split("...") if part)
        ids.update(item["id"] for item in [*spec["inputs"], *spec["state"]] if isinstance(item["id"], str))
    return ids


def test_every_callback_reads_and_writes_components_some_page_has(crawled_db):
    from dashboard.app import create_app

    app = create_app(crawled_db)
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # Dash builds its validation layout on the first request
    assert not app.config.suppress_callback_exceptions
    missing = _callback_ids(app) - _component_ids(app.validation_layout)
    assert not missing, f"callbacks name components no page has: {sorted(missing)}"
    page = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page, re.S)[1])
    assert config["suppress_callback_exceptions"] is False and config["validation_layout"]  # the browser checks too

"""A planner's review loop: a line's competencies confirmed or corrected on the advert page are kept as labels
beside the warehouse, in the format `cijobs eval --gold` scores the matcher on."""
from __future__ import annotations

import json
import shutil

import dash
import pytest

from dashboard import ids
from dashboard.review import labels_path, read_labels
from tests.conftest import query, run_cijobs
from tests.dashboard.callbacks import callback_response


@pytest.fixture
def reviewed_db(crawled_db, tmp_path):
    """A copy of the crawled warehouse (its labels file must not leak into other tests)."""
    for path in crawled_db.parent.glob(crawled_db.stem + "*.duckdb"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / crawled_db.name


def _advert_with_matches(db):
    return query(db, """SELECT a.advert_id, r.requirement_id, r.text, list(m.competency_id ORDER BY m.competency_id)
                        FROM advert_facts a JOIN requirements r USING (advert_id) JOIN current_matches m
                        USING (requirement_id) GROUP BY ALL ORDER BY a.advert_id, r.requirement_id LIMIT 1""")[0]


def _review_data(app, advert_id) -> dict:
    layout = next(page["layout"] for page in dash.page_registry.values() if page["path"] == "/advert")
    with app.server.test_request_context():
        stack = [layout(id=str(advert_id))]
        while stack:
            component = stack.pop()
            if getattr(component, "id", None) == ids.REVIEW_DATA:
                return component.data
            children = getattr(component, "children", None)
            stack.extend(children if isinstance(children, list) else [children] if children is not None else [])
    raise AssertionError("the advert page has no review store")


def test_a_corrected_line_is_kept_once_as_a_label_the_matcher_can_be_scored_on(reviewed_db):
    from dashboard.app import create_app

    advert_id, requirement_id, text, matched = _advert_with_matches(reviewed_db)
    app = create_app(reviewed_db, review=True)
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    data = _review_data(app, advert_id)
    assert data["lines"][str(requirement_id)] == {"text": text, "matched": matched}
    save = [{"id": ids.REVIEW_SAVE, "property": "n_clicks", "value": 1}]
    state = [{"id": ids.REVIEW_LINE, "property": "value", "value": str(requirement_id)},
             {"id": ids.REVIEW_COMPETENCIES, "property": "value", "value": matched},
             {"id": ids.REVIEW_DATA, "property": "data", "value": data}]
    assert "Saved (confirmed)" in json.dumps(callback_response(client, f"{ids.REVIEW_MESSAGE}.children", save, state))
    state[1]["value"] = ["6.1.1", "not-an-id"]  # corrected; an id the framework lacks is dropped
    message = json.dumps(callback_response(client, f"{ids.REVIEW_MESSAGE}.children", save, state))
    path = labels_path(reviewed_db)
    assert "Saved (corrected): 1 reviewed line" in message and f"cijobs eval --gold {path}" in message
    [label] = read_labels(path)  # the newest label of a line replaces the older one
    assert label["text"] == text and label["competencies"] == ["6.1.1"] and label["matched"] == matched
    scored = json.loads(run_cijobs("eval", "--gold", str(path), "--json").stdout)
    assert scored["lines"] == 1


def test_reviewing_is_off_where_the_dashboard_is_open_to_all(reviewed_db):
    from dashboard.app import create_app

    advert_id, requirement_id, _text, matched = _advert_with_matches(reviewed_db)
    client = create_app(reviewed_db, review=False).server.test_client()
    assert client.get("/").status_code == 200
    data = {"advert_id": advert_id, "lines": {str(requirement_id): {"text": "forged", "matched": matched}}}
    answer = callback_response(client, f"{ids.REVIEW_MESSAGE}.children",
                       [{"id": ids.REVIEW_SAVE, "property": "n_clicks", "value": 1}],
                       [{"id": ids.REVIEW_LINE, "property": "value", "value": str(requirement_id)},
                        {"id": ids.REVIEW_COMPETENCIES, "property": "value", "value": []},
                        {"id": ids.REVIEW_DATA, "property": "data", "value": data}])
    assert "Reviewing is off" in json.dumps(answer) and not labels_path(reviewed_db).exists()

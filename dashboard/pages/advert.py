"""One advert: its facts and every requirement line with the competencies it matched and the words behind each
match (/advert?id=N, linked from the adverts table)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import text_table
from dashboard.context import review_enabled, warehouse_path
from dashboard.data import query
from dashboard.review import labels_path, save_label
from matching.framework import load_framework
from matching.profile import requirement_kind

dash.register_page(__name__, path="/advert", name="Advert", title="cijobs - advert", order=99, in_nav=False)

FACTS = (("employer", "Employer"), ("town", "Town"), ("region", "Region"), ("band", "Band"),
         ("role_family", "Role family"), ("salary_text", "Salary"), ("date_posted", "Posted"),
         ("closing_date", "Closes"), ("status", "Status"), ("source", "Source"), ("reference", "Reference"),
         ("first_seen", "First seen by cijobs"), ("last_seen", "Last seen"))
LINE_COLUMNS = {"kind": "Kind", "text": "Requirement line", "matched": "Competencies (the words behind each match)"}


def layout(id=None, **_query):  # noqa: A002 - the query string's name
    try:
        advert = query("advert_detail", warehouse_path(), int(id)) if id is not None else None
    except ValueError:
        advert = None
    if advert is None:
        return html.Div([dbc.Alert("No such published advert. Open one from the Adverts page.", color="warning",
                                   id=ids.ADVERT_MISSING), _review_card(None, None, None)])
    framework = query("current_framework", warehouse_path()) or load_framework()
    lines = advert["requirements"]
    lines["kind"] = [requirement_kind(row) for row in lines.to_dict("records")]
    lines["matched"] = [_matches(found, framework) for found in lines["competencies"]]
    matched = int(sum(bool(text) for text in lines["matched"]))
    facts = [html.Li([html.Strong(f"{label}: "), _fact(advert[key])]) for key, label in FACTS if _fact(advert[key])]
    if advert.get("url"):
        facts.append(html.Li(html.A("the advert on its site", href=advert["url"], target="_blank", rel="noopener")))
    return html.Div([
        html.H2(advert["title"], id=ids.ADVERT_TITLE),
        html.P(("An informatics advert" if advert["is_informatics"] else "Not an informatics advert")
               + (f"; a re-post of advert {advert['duplicate_of']}, not counted again" if advert["duplicate_of"]
                  else "") + f". {matched} of {len(lines)} requirement lines matched a competency.",
               className="text-muted"),
        html.Ul(facts, id=ids.ADVERT_FACTS),
        text_table(lines, LINE_COLUMNS, ids.ADVERT_LINES),
        _review_card(advert, lines, framework),
    ])


def _review_card(advert, lines, framework) -> dbc.Card:
    """Confirm or correct one line's competencies (hidden where reviewing is off or there is no advert)."""
    shown = advert is not None and review_enabled()
    data = {str(int(row.requirement_id)): {"text": row.text, "matched": _ids_of(row.competencies)}
            for row in lines.itertuples()} if shown else {}
    return dbc.Card(dbc.CardBody([
        html.H5("Review a line's competencies"),
        html.P("Pick a line, set the competencies it shows (the matcher's answer is filled in), and save: the "
               "labels go to a file beside the warehouse that `cijobs eval --gold FILE` scores the matcher on.",
               className="text-muted small"),
        dcc.Dropdown(id=ids.REVIEW_LINE, placeholder="a requirement line", className="mb-2",
                     options=[{"label": f"{n}. {row['text'][:110]}", "value": key}
                              for n, (key, row) in enumerate(data.items(), 1)]),
        dcc.Dropdown(id=ids.REVIEW_COMPETENCIES, multi=True, placeholder="the competencies the line shows (none: "
                     "it asks for nothing in the framework)", className="mb-2",
                     options=[{"label": f"{c.id} {c.statement[:90]}", "value": c.id}
                              for c in (framework.competencies if shown else [])]),
        dbc.Button("Save label", id=ids.REVIEW_SAVE, size="sm", color="primary"),
        html.Div(id=ids.REVIEW_MESSAGE, className="small mt-2"),
        dcc.Store(id=ids.REVIEW_DATA, data={"advert_id": int(advert["advert_id"]) if shown else None,
                                            "lines": data}),
    ]), className="mt-3", style={} if shown else {"display": "none"})


def _ids_of(found) -> list[str]:
    return [match["id"] for match in found] if hasattr(found, "__len__") else []


@callback(Output(ids.REVIEW_COMPETENCIES, "value"), Input(ids.REVIEW_LINE, "value"), State(ids.REVIEW_DATA, "data"),
          prevent_initial_call=True)
def fill_in_the_matchers_answer(line, data):
    return (data or {}).get("lines", {}).get(line, {}).get("matched", [])


@callback(Output(ids.REVIEW_MESSAGE, "children"), Input(ids.REVIEW_SAVE, "n_clicks"),
          State(ids.REVIEW_LINE, "value"), State(ids.REVIEW_COMPETENCIES, "value"), State(ids.REVIEW_DATA, "data"),
          prevent_initial_call=True)
def save_review(_clicks, line, competencies, data):
    if not review_enabled():
        return "Reviewing is off on this dashboard (it is served to others without a password)."
    row = (data or {}).get("lines", {}).get(line)
    if row is None:
        return "Pick a line first."
    framework = query("current_framework", warehouse_path()) or load_framework()
    known = {c.id for c in framework.competencies}
    chosen = [c for c in competencies or [] if c in known]
    path = labels_path(warehouse_path())
    count = save_label(path, int(line), int(data["advert_id"]), row["text"], chosen, row["matched"],
                       query("framework_overview", warehouse_path()).get("matcher_version"))
    verdict = "confirmed" if set(chosen) == set(row["matched"]) else "corrected"
    return (f"Saved ({verdict}): {count} reviewed line{'s' * (count != 1)} in {path}. Score the matcher on them: "
            f"cijobs eval --gold {path}")


def _fact(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return f"{value:%Y-%m-%d}" if hasattr(value, "strftime") else str(value)


def _matches(found, framework) -> str:
    """ "2.4.1 Applies interoperability standards... ('hl7' ~ 'hl7')", one per match; a score only when not exact."""
    if not hasattr(found, "__len__") or len(found) == 0:  # None or NA: the line matched nothing
        return ""
    parts = []
    for match in found:
        statement = framework.competency(match["id"]).statement if _known(framework, match["id"]) else ""
        score = f", score {match['score']:.0f}" if match["score"] < 100 else ""
        parts.append(f"{match['id']} {statement[:70]}{'...' if len(statement) > 70 else ''} "
                     f"({match['evidence']}{score})")
    return "; ".join(parts)


def _known(framework, competency_id: str) -> bool:
    try:
        framework.competency(competency_id)
    except KeyError:
        return False
    return True

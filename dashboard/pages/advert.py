"""One advert: its facts and every requirement line with the competencies it matched and the words behind each
match (/advert?id=N, linked from the adverts table)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import ids
from dashboard.components import text_table
from dashboard.context import warehouse_path
from dashboard.data import query
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
        return dbc.Alert("No such published advert. Open one from the Adverts page.", color="warning",
                         id=ids.ADVERT_MISSING)
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
    ])


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

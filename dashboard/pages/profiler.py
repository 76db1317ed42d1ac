"""Role profiler: an advert (pasted, uploaded or picked from the warehouse) -> its requirements, their
competencies, a profile by domain and subdomain, and how it compares with adverts of similar titles."""
from __future__ import annotations

import base64
from functools import lru_cache
from urllib.parse import quote, urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from crawler.parsers.saved_page import requirements_from_document
from dashboard import ids
from dashboard.components import ESSENTIAL_COLOUR, FIGURE_MARGIN, percent, text_table
from dashboard.context import figures, warehouse_path
from dashboard.data import query
from dashboard.filters import advert_filter
from matching.accuracy import accuracy_note
from matching.framework import load_framework
from matching.learned import build_matcher
from matching.profile import market_comparison, profile_requirements, requirement_kind, similar_titles
from warehouse.csv_cells import frame_csv

dash.register_page(__name__, path="/profiler", name="Role profiler", title="cijobs - role profiler", order=5)

MAX_INPUT_CHARS = 200_000
MUTED_COLOUR = "#BBBBBB"
EXACT_SCORE = 100
MAX_TITLES_LISTED = 15


def _matcher():
    """The matcher on the framework the warehouse's matches use (an imported one, or the bundled one)."""
    return _matcher_for(query("current_framework", warehouse_path()) or load_framework())


@lru_cache(maxsize=2)
def _matcher_for(framework):
    return build_matcher(framework)


def layout(**_query):
    choices = query("advert_choices", warehouse_path())
    options = [{"label": f"{r.title} - {r.employer} ({r.reference})", "value": int(r.advert_id)}
               for r in choices.itertuples()]
    return html.Div([
        html.H2("Role profiler"),
        html.P("Paste an advert or its person specification (lines under 'Essential' / 'Desirable' headings keep "
               "their level, lines under 'Duties' are duties, an 'About us' section is skipped), upload a .txt or "
               "saved .html advert, or pick an advert from the warehouse.",
               className="text-muted"),
        dbc.Row([
            dbc.Col([
                dbc.Input(id=ids.PROFILER_TITLE, placeholder="Job title (to compare with similar adverts)",
                          className="mb-2"),
                dcc.Textarea(id=ids.PROFILER_TEXT, style={"width": "100%", "height": "12rem"},
                             placeholder="Paste advert text here"),
                dcc.Upload(id=ids.PROFILER_UPLOAD, children=html.Div(["Drop or ", html.A("choose"),
                                                                    " a .txt or .html file"]),
                           accept=".txt,.html,.htm", multiple=False,
                           style={"border": "1px dashed #999", "padding": "0.5rem", "textAlign": "center"}),
            ], md=7),
            dbc.Col([
                dcc.Dropdown(id=ids.PROFILER_ADVERT, options=options, placeholder="...or pick an advert"),
                dbc.Button("Profile", id=ids.PROFILER_RUN, color="primary", className="mt-2"),
                html.Div(id=ids.PROFILER_MESSAGE, className="mt-2"),
            ], md=5),
        ], className="mb-3"),
        html.Div(id=ids.PROFILER_RESULT),
    ])


def _decode_upload(contents: str, filename: str | None) -> str:
    _kind, _, payload = contents.partition(",")
    data = base64.b64decode(payload)
    if b"\x00" in data[:8192]:
        raise ValueError(f"{filename or 'the file'} looks binary, not advert text or HTML")
    return data.decode("utf-8-sig", errors="replace")


def _peers(title: str, filters) -> dict | None:
    """The adverts under the current filters whose titles resemble the role's (None without a title)."""
    if not title.strip():
        return None
    similar = similar_titles(title, query("informatics_titles", warehouse_path()), figures().similar_title_score)
    return query("peer_demand", warehouse_path(), advert_filter(filters), tuple(similar))


def _domain_figure(profile, peers: dict | None) -> go.Figure:
    """One measure per axis: with enough similar adverts, the share of them needing each domain, the bars of
    the domains this advert needs in colour; otherwise this advert's matched lines per domain."""
    labels = [f"{d['id']}. {d['title']}" for d in profile.domains]
    if peers and peers["adverts"] >= figures().min_adverts:
        needed = {d["id"] for d in profile.domains if d["lines"]}
        figure = go.Figure(go.Bar(
            y=labels, x=[peers["domain_shares"].get(d["id"], 0.0) for d in profile.domains], orientation="h",
            marker_color=[ESSENTIAL_COLOUR if d["id"] in needed else MUTED_COLOUR for d in profile.domains],
            hovertemplate="%{x:.0%} of similar adverts need %{y}<extra></extra>"))
        figure.update_layout(xaxis_tickformat=".0%", xaxis_title=f"Share of the {peers['adverts']} similar adverts "
                             "needing the domain (coloured: this advert needs it too)")
    else:
        figure = go.Figure(go.Bar(y=labels, x=[d["lines"] for d in profile.domains], orientation="h",
                                  marker_color=ESSENTIAL_COLOUR))
        figure.update_layout(xaxis_title="This advert's requirement lines matched in the domain")
    figure.update_layout(yaxis={"autorange": "reversed"}, margin=FIGURE_MARGIN)
    return figure


@callback(Output(ids.PROFILER_RESULT, "children"), Output(ids.PROFILER_MESSAGE, "children"),
          Input(ids.PROFILER_RUN, "n_clicks"), Input(ids.PROFILER_UPLOAD, "contents"),
          Input(ids.PROFILER_ADVERT, "value"),
          State(ids.PROFILER_UPLOAD, "filename"), State(ids.PROFILER_TEXT, "value"), State(ids.PROFILER_TITLE, "value"),
          State(ids.FILTERS, "data"), prevent_initial_call=True)
def run_profile(_clicks, upload, advert_id, filename, text, title, filters):
    trigger = dash.ctx.triggered_id
    try:
        if trigger == ids.PROFILER_UPLOAD and upload:
            requirements = requirements_from_document(_decode_upload(upload, filename)[:MAX_INPUT_CHARS])
            source = f"uploaded file {filename}"
        elif trigger == ids.PROFILER_ADVERT and advert_id is not None:
            requirements = query("advert_requirements", warehouse_path(), int(advert_id))
            choices = query("advert_choices", warehouse_path())
            picked = choices[choices["advert_id"] == int(advert_id)]
            title = title or (picked["title"].iloc[0] if len(picked) else "")
            source = "advert from the warehouse"
        else:
            if not (text or "").strip():
                return None, dbc.Alert("Paste some advert text first.", color="warning")
            requirements = requirements_from_document(text[:MAX_INPUT_CHARS])
            source = "pasted text"
    except ValueError as exc:
        return None, dbc.Alert(str(exc), color="danger")
    if not requirements:
        return None, dbc.Alert("No requirement lines found in that text.", color="warning")
    matcher = _matcher()
    profile = profile_requirements(requirements, matcher)
    title = (title or "").strip()
    return _result(profile, matcher, _peers(title, filters), title), dbc.Alert(
        f"{len(requirements)} requirement lines from the {source}.", color="success")


def _score(score: float) -> str:
    """A match's score only where it says something: most matches are exact (100)."""
    return "" if score >= EXACT_SCORE else f" ({score:.0f})"


def _comparison_text(peers: dict | None, title: str):
    if peers is None:
        return html.P("Give a job title to compare with similar adverts in the warehouse (under the filters above).")
    if peers["adverts"] < figures().min_adverts:
        return dbc.Alert(f"Only {peers['adverts']} adverts under the current filters have a title like '{title}': "
                         f"fewer than {figures().min_adverts}, too few to compare with, so no comparison is shown.",
                         color="warning", id=ids.PROFILER_TOO_FEW)
    listed = peers["titles"].head(MAX_TITLES_LISTED)
    return html.Div([
        html.P(f"Compared with {peers['adverts']} informatics adverts under the current filters whose titles "
               f"resemble '{title}':"),
        html.Ul([html.Li([html.A(r.title, href=dash.get_relative_path("/adverts?" + urlencode({"search": r.title})),
                                 target="_blank", rel="noopener"), f" ({r.adverts})"])
                 for r in listed.itertuples()], id=ids.PROFILER_SIMILAR),
    ])


def _result(profile, matcher, peers: dict | None, title):
    framework = matcher.framework
    rows = pd.DataFrame([{
        "level": requirement_kind(r), "text": r["text"],
        "competencies": "; ".join(f"{c['id']}{_score(c['score'])}" for c in r["competencies"]),
        "evidence": "; ".join(c["evidence"] for c in r["competencies"]),
        "domains": ", ".join(r["domains"]),
    } for r in profile.requirements])
    own = {c["id"] for r in profile.requirements for c in r["competencies"]}
    enough = peers is not None and peers["adverts"] >= figures().min_adverts
    comparison = market_comparison(own, peers["competency_shares"]) if enough else {"unusual": [], "missing": []}

    def listing(items):
        def mark(c):  # a reconstructed statement is never shown as the official wording
            return " *" if framework.competency(c).confidence == "inferred" else ""
        return html.Ul([html.Li(f"{c} {framework.competency(c).statement[:110]}{mark(c)} "
                                f"({percent(s)} of similar adverts)") for c, s in items[:10]]) or html.P("none")

    compare = _comparison_text(peers, title)
    subdomains = pd.DataFrame(profile.subdomains)
    if len(subdomains):
        subdomains["share"] = subdomains["share"].map(percent)
    return html.Div([
        html.H4("Profile by domain"), compare,
        dcc.Graph(id=ids.PROFILER_DOMAIN_CHART, figure=_domain_figure(profile, peers)),
        dbc.Row([
            dbc.Col([html.H5("Asks what similar adverts rarely do"), listing(comparison["unusual"])], md=6),
            dbc.Col([html.H5("Most similar adverts ask; this one does not"), listing(comparison["missing"])], md=6),
            html.Small("* statement reconstructed by cijobs, not the official FCI wording", className="text-muted"),
        ]) if enough else html.Div(),
        html.H4("Subdomains"),
        text_table(subdomains, {"id": "Subdomain", "title": "Title", "lines": "Lines", "share": "Share"},
                   ids.PROFILER_SUBDOMAINS) if len(subdomains) else html.P("No line matched a competency."),
        html.H4(["Requirements", html.A("Download CSV", id=ids.PROFILER_DOWNLOAD, download="role-profile.csv",
                                        href="data:text/csv;charset=utf-8," + quote(frame_csv(rows)),
                                        className="btn btn-sm btn-outline-secondary ms-2")]),
        text_table(rows, {"level": "Level", "text": "Requirement", "competencies": "Competencies (score)",
                          "evidence": "Evidence ('key phrase' ~ 'words of the line')", "domains": "Domains"},
                   ids.PROFILER_REQUIREMENTS),
        html.P(accuracy_note(matcher.version, framework.version), id=ids.PROFILER_ACCURACY,
               className="text-muted small mt-2"),
    ])

"""Role profiler: an advert (pasted, uploaded or picked from the warehouse) -> its requirements, their
competencies, a profile by domain and subdomain, and how it compares with adverts of similar titles."""
from __future__ import annotations

import base64
from functools import lru_cache

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import DESIRABLE_COLOUR, ESSENTIAL_COLOUR, FIGURE_MARGIN, percent, text_table
from dashboard.context import warehouse_path
from dashboard.data import query
from matching.accuracy import accuracy_note
from matching.framework import load_framework
from matching.learned import build_matcher
from matching.profile import (
    market_comparison,
    profile_requirements,
    requirement_kind,
    requirements_from_document,
    similar_titles,
)

dash.register_page(__name__, path="/profiler", name="Role profiler", title="cijobs - role profiler", order=2)

MAX_INPUT_CHARS = 200_000


@lru_cache(maxsize=1)
def _matcher():
    return build_matcher(load_framework())


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
                dbc.Input(id="profiler-title", placeholder="Job title (to compare with similar adverts)",
                          className="mb-2"),
                dcc.Textarea(id="profiler-text", style={"width": "100%", "height": "12rem"},
                             placeholder="Paste advert text here"),
                dcc.Upload(id="profiler-upload", children=html.Div(["Drop or ", html.A("choose"),
                                                                    " a .txt or .html file"]),
                           accept=".txt,.html,.htm", multiple=False,
                           style={"border": "1px dashed #999", "padding": "0.5rem", "textAlign": "center"}),
            ], md=7),
            dbc.Col([
                dcc.Dropdown(id="profiler-advert", options=options, placeholder="...or pick an advert"),
                dbc.Button("Profile", id="profiler-run", color="primary", className="mt-2"),
                html.Div(id="profiler-message", className="mt-2"),
            ], md=5),
        ], className="mb-3"),
        html.Div(id="profiler-result"),
    ])


def _decode_upload(contents: str, filename: str | None) -> str:
    _kind, _, payload = contents.partition(",")
    data = base64.b64decode(payload)
    if b"\x00" in data[:8192]:
        raise ValueError(f"{filename or 'the file'} looks binary, not advert text or HTML")
    return data.decode("utf-8-sig", errors="replace")


def _peer_shares(title: str) -> tuple[dict[str, float], int]:
    if not title.strip():
        return {}, 0
    similar = similar_titles(title, query("informatics_titles", warehouse_path()))
    shares, count = query("title_competency_shares", warehouse_path(), tuple(similar))
    return dict(zip(shares["competency_id"], shares["share"])), count


def _domain_figure(profile, peer_domain_share: dict[str, float]) -> go.Figure:
    labels = [f"{d['id']}. {d['title']}" for d in profile.domains]
    figure = go.Figure([
        go.Bar(name="this advert (share of its matched lines)", y=labels, x=[d["share"] for d in profile.domains],
               orientation="h", marker_color=ESSENTIAL_COLOUR),
        go.Bar(name="similar adverts (share needing the domain)", y=labels,
               x=[peer_domain_share.get(d["id"], 0.0) for d in profile.domains], orientation="h",
               marker_color=DESIRABLE_COLOUR),
    ])
    figure.update_layout(barmode="group", xaxis_tickformat=".0%", yaxis={"autorange": "reversed"},
                         margin=FIGURE_MARGIN, legend={"orientation": "h", "y": 1.15})
    return figure


@callback(Output("profiler-result", "children"), Output("profiler-message", "children"),
          Input("profiler-run", "n_clicks"), Input("profiler-upload", "contents"), Input("profiler-advert", "value"),
          State("profiler-upload", "filename"), State("profiler-text", "value"), State("profiler-title", "value"),
          prevent_initial_call=True)
def run_profile(_clicks, upload, advert_id, filename, text, title):
    trigger = dash.ctx.triggered_id
    try:
        if trigger == "profiler-upload" and upload:
            requirements = requirements_from_document(_decode_upload(upload, filename)[:MAX_INPUT_CHARS])
            source = f"uploaded file {filename}"
        elif trigger == "profiler-advert" and advert_id is not None:
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
    peer_shares, peers = _peer_shares(title)
    return _result(profile, matcher, peer_shares, peers, title), dbc.Alert(
        f"{len(requirements)} requirement lines from the {source}.", color="success")


def _result(profile, matcher, peer_shares, peers, title):
    framework = matcher.framework
    rows = pd.DataFrame([{
        "level": requirement_kind(r), "text": r["text"],
        "competencies": "; ".join(f"{c['id']} ({c['score']:.0f})" for c in r["competencies"]),
        "evidence": "; ".join(c["evidence"] for c in r["competencies"]),
        "domains": ", ".join(r["domains"]),
    } for r in profile.requirements])
    own = {c["id"] for r in profile.requirements for c in r["competencies"]}
    peer_domain = {}
    for competency_id, share in peer_shares.items():
        domain = framework.competency(competency_id).domain_id
        peer_domain[domain] = max(peer_domain.get(domain, 0.0), share)
    comparison = market_comparison(own, peer_shares) if peers else {"unusual": [], "missing": []}

    def listing(items):
        def mark(c):  # a reconstructed statement is never shown as the official wording
            return " *" if framework.competency(c).confidence == "inferred" else ""
        return html.Ul([html.Li(f"{c} {framework.competency(c).statement[:110]}{mark(c)} "
                                f"({percent(s)} of similar adverts)") for c, s in items[:10]]) or html.P("none")

    compare = (html.P(f"Compared with {peers} informatics adverts whose titles resemble '{title}'.")
               if peers else html.P("Give a job title to compare with similar adverts in the warehouse."))
    subdomains = pd.DataFrame(profile.subdomains)
    if len(subdomains):
        subdomains["share"] = subdomains["share"].map(percent)
    return html.Div([
        html.H4("Profile by domain"), compare,
        dcc.Graph(id="profiler-domain-chart", figure=_domain_figure(profile, peer_domain if peers else {})),
        dbc.Row([
            dbc.Col([html.H5("Asks what similar adverts rarely do"), listing(comparison["unusual"])], md=6),
            dbc.Col([html.H5("Most similar adverts ask; this one does not"), listing(comparison["missing"])], md=6),
            html.Small("* statement reconstructed by cijobs, not the official FCI wording", className="text-muted"),
        ]) if peers else html.Div(),
        html.H4("Subdomains"),
        text_table(subdomains, {"id": "Subdomain", "title": "Title", "lines": "Lines", "share": "Share"},
                   "profiler-subdomains") if len(subdomains) else html.P("No line matched a competency."),
        html.H4("Requirements"),
        text_table(rows, {"level": "Level", "text": "Requirement", "competencies": "Competencies (score)",
                          "evidence": "Evidence ('key phrase' ~ 'words of the line')", "domains": "Domains"},
                   "profiler-requirements"),
        html.P(accuracy_note(matcher.version, framework.version), id="profiler-accuracy",
               className="text-muted small mt-2"),
    ])

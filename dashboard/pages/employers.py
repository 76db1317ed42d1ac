"""Employers: one employer's demand by domain against the market, and two employers side by side."""
from __future__ import annotations

import dataclasses

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import DESIRABLE_COLOUR, ESSENTIAL_COLOUR, FIGURE_MARGIN, csv_payload, download_button
from dashboard.context import data_version, figures, warehouse_path
from dashboard.data import query
from dashboard.filters import advert_filter
from warehouse.small_numbers import with_intervals

dash.register_page(__name__, path="/employers", name="Employers", title="cijobs - employers", order=4)
MARKET_COLOUR = "#999999"


def layout(**_query):
    employers = query("employers", warehouse_path(), advert_filter(None))
    options = [{"label": f"{r.employer} ({r.adverts})", "value": r.employer} for r in employers.itertuples()]
    first = options[0]["value"] if options else None
    return html.Div([
        html.H2(["Employer profiles", download_button(ids.EMPLOYER_DOWNLOAD)]),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.EMPLOYER_A, options=options, value=first, placeholder="Employer"), md=5),
            dbc.Col(dcc.Dropdown(id=ids.EMPLOYER_B, options=options, placeholder="Compare with (optional)"), md=5),
        ], className="mb-2"),
        html.P("Share of each employer's adverts needing each domain, next to the whole market under the "
               "current filters (the Employer filter aside). An employer with fewer than "
               f"{figures().min_adverts} adverts has no bars: its shares would be chance.", className="text-muted"),
        dcc.Graph(id=ids.EMPLOYER_CHART),
    ])


def _market_filter(filters):
    """The current filters without the Employer filter: the market an employer is compared with."""
    return dataclasses.replace(advert_filter(filters), employers=())


@callback(Output(ids.EMPLOYER_A, "options"), Output(ids.EMPLOYER_B, "options"), Input(ids.FILTERS, "data"))
def employer_options(filters):
    """The employers with their advert counts under the current filters."""
    employers = query("employers", warehouse_path(), _market_filter(filters))
    options = [{"label": f"{r.employer} ({r.adverts})", "value": r.employer} for r in employers.itertuples()]
    return options, options


def _profiles(filters, first, second):
    """Market and employer shares per domain; each part is a separately cached query, so the market
    figures are computed once however many employers are compared. Shares of an employer with fewer than
    the minimum of adverts are left out."""
    flt = _market_filter(filters)
    market = query("domain_demand", warehouse_path(), flt)
    frame = market[["domain_id", "domain_title"]].assign(market_share=market["share"],
                                                          market_adverts=market["adverts"])
    for suffix, employer in (("a", first), ("b", second)):
        if employer:
            chosen = dataclasses.replace(flt, employers=(employer,))
            mine = with_intervals(query("domain_demand", warehouse_path(), chosen), figures().min_adverts)
            frame[f"share_{suffix}"] = mine["share"].where(~mine["suppressed"]).to_numpy()
            frame[f"adverts_{suffix}"] = mine["adverts"].to_numpy()
    return frame


@callback(Output(ids.EMPLOYER_CHART, "figure"), Input(ids.FILTERS, "data"), Input(ids.EMPLOYER_A, "value"),
          Input(ids.EMPLOYER_B, "value"))
def show_employers(filters, first, second):
    figure = go.Figure()
    if not first:
        return figure
    frame = _profiles(filters, first, second)
    labels = frame["domain_id"] + ". " + frame["domain_title"]
    figure.add_bar(name=_legend(first, frame["adverts_a"].iloc[0]), y=labels, x=frame["share_a"],
                   orientation="h", marker_color=ESSENTIAL_COLOUR)
    if second:
        figure.add_bar(name=_legend(second, frame["adverts_b"].iloc[0]), y=labels, x=frame["share_b"],
                       orientation="h", marker_color=DESIRABLE_COLOUR)
    figure.add_bar(name=f"market ({frame['market_adverts'].iloc[0]} adverts)", y=labels, x=frame["market_share"],
                   orientation="h", marker_color=MARKET_COLOUR)
    figure.update_layout(barmode="group", xaxis_tickformat=".0%", yaxis={"autorange": "reversed"},
                         xaxis_title="Share of adverts needing the domain", margin=FIGURE_MARGIN,
                         legend={"orientation": "h", "y": 1.12}, height=520)
    return figure


def _legend(employer: str, adverts: int) -> str:
    too_few = f": too few for shares (under {figures().min_adverts})" if adverts < figures().min_adverts else ""
    return f"{employer} ({adverts} adverts{too_few})"


@callback(Output(ids.EMPLOYER_DOWNLOAD, "data"), Input(ids.download_button(ids.EMPLOYER_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.EMPLOYER_A, "value"), State(ids.EMPLOYER_B, "value"),
          prevent_initial_call=True)
def download_employers(_clicks, filters, first, second):
    if not first:
        return None
    frame = _profiles(filters, first, second)
    return csv_payload(frame, "employer-profile.csv", advert_filter(filters), data_version())

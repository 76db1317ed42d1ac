"""Regions: demand for a domain per NHS England region and devolved nation, as a tile map and a table, under the
current filters and the small-number rule (a region with too few adverts is drawn grey and says why)."""
from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import FIGURE_MARGIN, csv_payload, download_button, share_text, text_table
from dashboard.context import data_version, figures, warehouse_path
from dashboard.data import query
from dashboard.filters import advert_filter
from warehouse.small_numbers import suppress, with_intervals

dash.register_page(__name__, path="/regions", name="Regions", title="cijobs - regions", order=2)

# A tile map: one square per region, placed roughly where it lies (column, row from the top). Schematic on
# purpose: no boundary files to license or keep current, and every region gets the same area.
TILES = {
    "Scotland": (1, 0),
    "Northern Ireland": (0, 1), "North East and Yorkshire": (2, 1),
    "North West": (1, 2), "Midlands": (2, 2), "East of England": (3, 2),
    "Wales": (1, 3), "South East": (2, 3), "London": (3, 3),
    "South West": (1, 4),
}
TILE_LABELS = {"North East and Yorkshire": "North East<br>& Yorkshire", "Northern Ireland": "Northern<br>Ireland",
               "East of England": "East of<br>England"}  # names too long for a tile's line
TOO_FEW_COLOUR = "#DDDDDD"
REGION_COLUMNS = {"region": "Region", "adverts": "Adverts", "adverts_needing": "Needing the domain",
                  "share_text": "Share (95 % interval, n)"}


def layout(**_query):
    return html.Div([
        html.H2(["Demand by region", download_button(ids.REGIONS_DOWNLOAD)]),
        dcc.Dropdown(id=ids.REGIONS_DOMAIN, clearable=False, className="mb-2", style={"maxWidth": "40rem"}),
        html.P(id=ids.REGIONS_SCOPE, className="text-muted"),
        dcc.Graph(id=ids.REGIONS_MAP, config={"displayModeBar": False}),
        html.Div(id=ids.REGIONS_TABLE_HOLDER),
        html.P("Region from the advert's postcode area (NHS England regions and the devolved nations); "
               "'Unknown' when the advert gives none that maps. A tile map: each region one square, placed "
               "roughly where it lies.", className="text-muted small"),
    ])


@callback(Output(ids.REGIONS_DOMAIN, "options"), Output(ids.REGIONS_DOMAIN, "value"),
          Input(ids.FILTERS, "data"), State(ids.REGIONS_DOMAIN, "value"))
def domain_choices(_filters, chosen):
    domains = query("domains", warehouse_path())
    options = [{"label": f"{r.domain_id} {r.domain_title}", "value": r.domain_id} for r in domains.itertuples()]
    values = [option["value"] for option in options]
    return options, chosen if chosen in values else (values[0] if values else None)


def _regions(filters, domain: str | None):
    frame = query("domain_demand_by_region", warehouse_path(), advert_filter(filters))
    return frame[frame["domain_id"] == domain].reset_index(drop=True)


@callback(Output(ids.REGIONS_SCOPE, "children"), Output(ids.REGIONS_MAP, "figure"),
          Output(ids.REGIONS_TABLE_HOLDER, "children"), Input(ids.FILTERS, "data"),
          Input(ids.REGIONS_DOMAIN, "value"))
def show_regions(filters, domain):
    minimum = figures().min_adverts
    frame = with_intervals(_regions(filters, domain), minimum)
    frame["share_text"] = [share_text(row) if row.adverts else "no adverts" for row in frame.itertuples()]
    title = frame["domain_title"].iloc[0] if len(frame) else ""
    tiles = _tile_map(frame[frame["region"].isin(TILES)], minimum)
    return (f"Share of adverts needing domain {domain} {title}: {advert_filter(filters).describe()}.", tiles,
            text_table(frame, REGION_COLUMNS, ids.REGIONS_TABLE))


def _tile_map(frame, minimum: int) -> go.Figure:
    shown = frame[~frame["suppressed"] & (frame["adverts"] > 0)]
    hidden = frame[frame["suppressed"] | (frame["adverts"] == 0)]
    figure = go.Figure()
    figure.add_scatter(
        x=[TILES[r][0] for r in hidden["region"]], y=[-TILES[r][1] for r in hidden["region"]], mode="markers+text",
        marker={"symbol": "square", "size": 78, "color": TOO_FEW_COLOUR}, hoverinfo="text",
        text=[f"{TILE_LABELS.get(r, r)}<br>{n} adverts:<br>too few" if n else f"{TILE_LABELS.get(r, r)}<br>no adverts"
              for r, n in zip(hidden["region"], hidden["adverts"])],
        hovertext=[f"{r}: {n} adverts, fewer than {minimum}: no share shown" for r, n in
                   zip(hidden["region"], hidden["adverts"])], textfont={"size": 10}, name="too few")
    figure.add_scatter(
        x=[TILES[r][0] for r in shown["region"]], y=[-TILES[r][1] for r in shown["region"]], mode="markers+text",
        marker={"symbol": "square", "size": 78, "color": shown["share"], "cmin": 0, "cmax": 1,
                "colorscale": "Blues", "showscale": True, "colorbar": {"title": "share", "tickformat": ".0%"}},
        text=[f"{TILE_LABELS.get(r, r)}<br>{s:.0%} (n={n})"
              for r, s, n in zip(shown["region"], shown["share"], shown["adverts"])],
        textfont={"size": 10}, hoverinfo="text",
        hovertext=[f"{r}: {s:.0%} of {n} adverts ({low:.0%}-{high:.0%})" for r, s, n, low, high in
                   zip(shown["region"], shown["share"], shown["adverts"], shown["share_low"], shown["share_high"])],
        name="share")
    figure.update_layout(showlegend=False, height=520, margin=FIGURE_MARGIN, plot_bgcolor="white",
                         xaxis={"visible": False, "range": [-0.6, 3.6]}, yaxis={"visible": False, "range": [-4.6, 0.6],
                                                                                "scaleanchor": "x"})
    return figure


@callback(Output(ids.REGIONS_DOWNLOAD, "data"), Input(ids.download_button(ids.REGIONS_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.REGIONS_DOMAIN, "value"), prevent_initial_call=True)
def download_regions(_clicks, filters, domain):
    frame = suppress(_regions(filters, domain), figures().min_adverts)
    return csv_payload(frame, f"regions-domain-{domain}.csv", advert_filter(filters), data_version())

"""Domain drill-down: subdomain and competency rankings for one domain, with evidence lines."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.express as px
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import DOMAIN_COLOURS, FIGURE_MARGIN, csv_payload, download_button, share_text, text_table
from dashboard.context import data_version, figures, warehouse_path
from dashboard.data import query
from dashboard.filters import advert_filter
from warehouse.small_numbers import suppress, with_intervals

dash.register_page(__name__, path="/domains", name="Domains", title="cijobs - domain drill-down", order=1)

COMPETENCY_COLUMNS = {"competency_id": "Competency", "statement": "Statement", "confidence": "Provenance",
                      "adverts_needing": "Adverts", "share_text": "Share", "example_line": "Example requirement",
                      "example_reference": "Advert"}


def layout(domain: str = "1", **_query):
    framework_domains = query("domains", warehouse_path())
    options = [{"label": f"{r.domain_id}. {r.domain_title}", "value": r.domain_id}
               for r in framework_domains.itertuples()]
    return html.Div([
        html.H2("Domain drill-down"),
        dbc.Row([dbc.Col(dcc.Dropdown(id=ids.DRILL_DOMAIN, options=options, value=domain, clearable=False), md=6)]),
        html.P(id=ids.DRILL_SCOPE, className="text-muted mt-2"),
        html.H4(["Subdomains", download_button(ids.SUBDOMAIN_DOWNLOAD)]),
        dcc.Graph(id=ids.SUBDOMAIN_CHART),
        html.H4(["Competencies", download_button(ids.COMPETENCY_DOWNLOAD)]),
        html.P("Statements marked inferred are cijobs' reconstruction, not the official FCI wording. "
               "Each example is the requirement line that matched best, linked to its advert.",
               className="text-muted small"),
        html.Div(id=ids.COMPETENCY_TABLE_HOLDER),
    ])


def _subdomains(filters, domain):
    return with_intervals(query("subdomain_demand", warehouse_path(), advert_filter(filters), domain),
                          figures().min_adverts)


def _competencies(filters, domain):
    frame = with_intervals(query("competency_demand", warehouse_path(), advert_filter(filters), domain),
                           figures().min_adverts)
    frame["share_text"] = [share_text(row) for row in frame.itertuples()]
    return frame


@callback(Output(ids.DRILL_SCOPE, "children"), Output(ids.SUBDOMAIN_CHART, "figure"),
          Output(ids.COMPETENCY_TABLE_HOLDER, "children"), Input(ids.FILTERS, "data"), Input(ids.DRILL_DOMAIN, "value"))
def show_domain(filters, domain):
    subdomains = _subdomains(filters, domain)
    subdomains["label"] = subdomains["subdomain_id"] + " " + subdomains["subdomain_title"]
    subdomains["share"] = subdomains["share"].where(~subdomains["suppressed"])  # too few adverts: no bar
    colour = DOMAIN_COLOURS[(int(domain) - 1) % len(DOMAIN_COLOURS)]
    figure = px.bar(subdomains, x="share", y="label", orientation="h",
                    text=[share_text(row) for row in subdomains.itertuples()],
                    labels={"share": "Share of adverts needing the subdomain", "label": ""},
                    color_discrete_sequence=[colour])
    figure.update_layout(xaxis_tickformat=".0%", yaxis={"autorange": "reversed"}, margin=FIGURE_MARGIN)
    table = text_table(_competencies(filters, domain), COMPETENCY_COLUMNS, ids.COMPETENCY_TABLE,
                       link_column="example_url", link_text_column="example_reference")
    return f"Showing {advert_filter(filters).describe()}.", figure, table


@callback(Output(ids.SUBDOMAIN_DOWNLOAD, "data"), Input(ids.download_button(ids.SUBDOMAIN_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.DRILL_DOMAIN, "value"), prevent_initial_call=True)
def download_subdomains(_clicks, filters, domain):
    frame = suppress(query("subdomain_demand", warehouse_path(), advert_filter(filters), domain), figures().min_adverts)
    return csv_payload(frame, f"domain-{domain}-subdomains.csv", advert_filter(filters), data_version())


@callback(Output(ids.COMPETENCY_DOWNLOAD, "data"), Input(ids.download_button(ids.COMPETENCY_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.DRILL_DOMAIN, "value"), prevent_initial_call=True)
def download_competencies(_clicks, filters, domain):
    shown = [column for column in COMPETENCY_COLUMNS if column != "share_text"]
    frame = suppress(query("competency_demand", warehouse_path(), advert_filter(filters), domain),
                     figures().min_adverts)
    frame = frame[[*shown, "adverts", "share", "share_low", "share_high", "note", "example_url", "example_evidence"]]
    return csv_payload(frame, f"domain-{domain}-competencies.csv", advert_filter(filters), data_version())

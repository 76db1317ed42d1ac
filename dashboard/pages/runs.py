"""Data and runs: crawl runs with their counts and errors, sources, framework version and provenance."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from dashboard import ids
from dashboard.components import csv_payload, download_button, percent, text_table
from dashboard.context import data_version, warehouse_path
from dashboard.data import query

dash.register_page(__name__, path="/runs", name="Data and runs", title="cijobs - data and runs", order=7)

RUN_COLUMNS = {"run_id": "Run", "source": "Source", "started_at": "Started", "status": "Status",
               "duration_seconds": "Seconds", "requests": "Requests", "responses_error": "HTTP errors",
               "adverts_seen": "Listed", "adverts_new": "New", "adverts_updated": "Updated",
               "adverts_skipped": "Not re-fetched", "adverts_closed": "Closed", "adverts_withdrawn": "Withdrawn",
               "adverts_duplicate": "Re-posts", "parse_errors": "Parse errors",
               "discovery_errors": "Discovery errors", "links_unreadable": "Unreadable links",
               "pages_failed": "Pages failed", "adverts_reopened": "Reopened", "message": "Message"}
SOURCE_COLUMNS = {"source": "Source", "name": "Name", "base_url": "Base URL", "adverts": "Adverts",
                  "open_adverts": "Open", "reposts": "Re-posts", "duplicate_rate_text": "Duplicate rate",
                  "last_seen": "Last seen", "attribution": "Attribution"}


def layout(**_query):
    return html.Div([
        html.H2("Data and runs"),
        html.Div(id=ids.FRAMEWORK_CARD),
        html.H4("Sources"),
        html.Div(id=ids.SOURCES_TABLE_HOLDER),
        html.H4(["Crawl runs", download_button(ids.RUNS_DOWNLOAD)]),
        html.Div(id=ids.RUNS_TABLE_HOLDER),
    ])


def _runs():
    frame = query("runs_overview", warehouse_path())
    frame["duration_seconds"] = frame["duration_seconds"].round(1)
    return frame


@callback(Output(ids.FRAMEWORK_CARD, "children"), Output(ids.SOURCES_TABLE_HOLDER, "children"),
          Output(ids.RUNS_TABLE_HOLDER, "children"), Input(ids.FILTERS, "data"))
def show_runs(_filters):
    db = warehouse_path()
    framework = query("framework_overview", db)
    if framework.get("version"):
        body = [html.H5(f"{framework['name']}"),
                html.P(f"version {framework['version']}, loaded {framework['loaded_at']:%Y-%m-%d %H:%M}; "
                       f"matcher {framework['matcher_version']}"),
                html.P(f"{framework['competencies']} competency statements: {framework['seen']} seen in a public "
                       f"source, {framework['inferred']} reconstructed by cijobs (not official wording), "
                       f"{framework['official']} official (imported).")]
    else:
        body = [html.P("No framework loaded yet: run `cijobs match`.")]
    sources = query("sources_overview", db)
    sources["duplicate_rate_text"] = sources["duplicate_rate"].map(percent)
    return (dbc.Card(dbc.CardBody(body), className="mb-3", id=ids.FRAMEWORK_PROVENANCE),
            text_table(sources, SOURCE_COLUMNS, ids.SOURCES_TABLE), text_table(_runs(), RUN_COLUMNS, ids.RUNS_TABLE))


@callback(Output(ids.RUNS_DOWNLOAD, "data"), Input(ids.download_button(ids.RUNS_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), prevent_initial_call=True)
def download_runs(_clicks, _filters):
    return csv_payload(_runs(), "crawl-runs.csv", None, data_version())

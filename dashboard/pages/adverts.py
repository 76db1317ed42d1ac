"""Adverts: a searchable, sortable, paged table (open adverts unless closed ones are asked for)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dash_table, dcc, html

from dashboard import ids
from dashboard.components import csv_payload, download_button
from dashboard.context import data_version, warehouse_path
from dashboard.data import query
from dashboard.filters import advert_filter
from warehouse.demand import ADVERT_TABLE_COLUMNS

dash.register_page(__name__, path="/adverts", name="Adverts", title="cijobs - adverts", order=6)

PAGE_SIZE = 25
COLUMN_NAMES = {"reference": "Reference", "title": "Title", "employer": "Employer", "town": "Town",
                "region": "Region", "band": "Band", "role_family": "Role family", "date_posted": "Posted",
                "closing_date": "Closes", "status": "Status", "link": "Advert"}


def layout(search: str | None = None, **_query):
    columns = [{"name": COLUMN_NAMES[c], "id": c, **({"presentation": "markdown"} if c == "reference" else {})}
               for c in ADVERT_TABLE_COLUMNS if c not in ("url", "advert_id")]
    columns.append({"name": "On its site", "id": "link", "presentation": "markdown"})
    return html.Div([
        html.H2(["Adverts", download_button(ids.ADVERTS_DOWNLOAD, "Download this page as CSV")]),
        dbc.Row([
            dbc.Col(dcc.Input(id=ids.ADVERTS_SEARCH, type="search", debounce=True, className="form-control",
                              placeholder="search title, employer, town or reference", value=search), md=5),
            dbc.Col(dbc.Switch(id=ids.ADVERTS_CLOSED, value=False, label="include closed adverts"), md=3),
        ], className="mb-2"),
        html.P(id=ids.ADVERTS_COUNT, className="text-muted"),
        dash_table.DataTable(
            id=ids.ADVERTS_TABLE, columns=columns, page_current=0, page_size=PAGE_SIZE, page_action="custom",
            sort_action="custom", sort_mode="single", sort_by=[{"column_id": "date_posted", "direction": "desc"}],
            markdown_options={"html": False, "link_target": "_blank"},
            style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto", "fontSize": "0.9rem"},
            style_header={"fontWeight": "bold"},
        ),
    ])


def _page(filters, search, include_closed, page, sort_by):
    sort = (sort_by or [{"column_id": "date_posted", "direction": "desc"}])[0]
    column = sort["column_id"] if sort["column_id"] in ADVERT_TABLE_COLUMNS and sort["column_id"] != "url" \
        else "date_posted"
    return query("advert_page", warehouse_path(), advert_filter(filters), search=search or "",
                 include_closed=bool(include_closed), sort_by=column, descending=sort["direction"] == "desc",
                 page=page or 0, page_size=PAGE_SIZE)


def _markdown_link(text: str, url: str | None) -> str:
    if not url:
        return ""
    safe_text = "".join(ch for ch in str(text) if ch.isalnum() or ch in "-_:. ")
    return f"[{safe_text}](<{url.replace('>', '%3E')}>)"


@callback(Output(ids.ADVERTS_TABLE, "data"), Output(ids.ADVERTS_TABLE, "page_count"),
          Output(ids.ADVERTS_COUNT, "children"),
          Input(ids.FILTERS, "data"), Input(ids.ADVERTS_SEARCH, "value"), Input(ids.ADVERTS_CLOSED, "value"),
          Input(ids.ADVERTS_TABLE, "page_current"), Input(ids.ADVERTS_TABLE, "sort_by"))
def show_adverts(filters, search, include_closed, page, sort_by):
    frame, total = _page(filters, search, include_closed, page, sort_by)
    frame["link"] = [_markdown_link("source", u) for u in frame["url"]]
    frame["reference"] = [_markdown_link(r, dash.get_relative_path(f"/advert?id={int(i)}"))
                          for r, i in zip(frame["reference"], frame["advert_id"])]
    for column in ("date_posted", "closing_date"):
        frame[column] = frame[column].astype(str).replace({"NaT": "", "None": ""})
    scope = f"{total:,} {'adverts' if include_closed else 'open adverts'}: {advert_filter(filters).describe()}."
    return frame.drop(columns=["url", "advert_id"]).to_dict("records"), max(1, -(-total // PAGE_SIZE)), scope


@callback(Output(ids.ADVERTS_DOWNLOAD, "data"), Input(ids.download_button(ids.ADVERTS_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.ADVERTS_SEARCH, "value"), State(ids.ADVERTS_CLOSED, "value"),
          State(ids.ADVERTS_TABLE, "page_current"), State(ids.ADVERTS_TABLE, "sort_by"), prevent_initial_call=True)
def download_adverts(_clicks, filters, search, include_closed, page, sort_by):
    frame, _total = _page(filters, search, include_closed, page, sort_by)
    return csv_payload(frame, "adverts.csv", advert_filter(filters), data_version())

"""Pay: yearly salaries by band, role family or region under the current filters, with the small-number rule."""
from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import FIGURE_MARGIN, csv_payload, download_button, text_table
from dashboard.context import data_version, figures, warehouse_path
from dashboard.data import query
from dashboard.filters import advert_filter

dash.register_page(__name__, path="/pay", name="Pay", title="cijobs - pay", order=3)

GROUPS = {"band": "Band", "role_family": "Role family", "region": "Region", "domain": "Domain needed"}
PAY_COLUMNS = {"group": "Group", "adverts": "Adverts with a yearly salary", "q1_text": "Lower quartile",
               "median_text": "Median", "q3_text": "Upper quartile", "other_period": "Hourly or other rates",
               "no_amount": "No amount stated"}


def layout(**_query):
    return html.Div([
        html.H2(["Pay", download_button(ids.PAY_DOWNLOAD)]),
        dcc.RadioItems(id=ids.PAY_GROUP, value="band", inline=True, className="mb-2",
                       options=[{"label": f" by {label.lower()} ", "value": key} for key, label in GROUPS.items()]),
        html.P(id=ids.PAY_SCOPE, className="text-muted"),
        dcc.Graph(id=ids.PAY_CHART),
        html.Div(id=ids.PAY_TABLE_HOLDER),
        html.P(f"The midpoint of each advert's yearly range, as the advert states it (salary text kept beside the "
               f"numbers; hourly and other rates are counted apart, never converted). Groups with fewer than "
               f"{figures().min_adverts} yearly salaries show no figures.", className="text-muted small"),
    ])


def _money(value) -> str:
    return "" if value != value or value is None else f"£{value:,.0f}"


def _pay(filters, group: str):
    frame = query("pay_by", warehouse_path(), advert_filter(filters), group if group in GROUPS else "band")
    few = frame["adverts"] < figures().min_adverts
    for column in ("q1", "median", "q3"):
        frame[column] = frame[column].where(~few)
        frame[f"{column}_text"] = [_money(v) if not small else f"not shown (fewer than {figures().min_adverts})"
                                   for v, small in zip(frame[column], few)]
    return frame


@callback(Output(ids.PAY_SCOPE, "children"), Output(ids.PAY_CHART, "figure"), Output(ids.PAY_TABLE_HOLDER, "children"),
          Input(ids.FILTERS, "data"), Input(ids.PAY_GROUP, "value"))
def show_pay(filters, group):
    frame = _pay(filters, group)
    shown = frame.dropna(subset=["median"])
    figure = go.Figure(go.Bar(x=shown["group"], y=shown["q3"] - shown["q1"], base=shown["q1"],
                              customdata=shown[["median", "adverts"]],
                              hovertemplate="%{x}: median £%{customdata[0]:,.0f} (%{customdata[1]} adverts)"))
    figure.add_scatter(x=shown["group"], y=shown["median"], mode="markers", name="median",
                       marker={"symbol": "line-ew-open", "size": 24})
    figure.update_layout(yaxis_title="Yearly salary (lower to upper quartile, median marked)",
                         yaxis_tickprefix="£", showlegend=False, margin=FIGURE_MARGIN)
    return (f"Showing {advert_filter(filters).describe()}, by {GROUPS.get(group, 'Band').lower()}.", figure,
            text_table(frame, PAY_COLUMNS, ids.PAY_TABLE))


@callback(Output(ids.PAY_DOWNLOAD, "data"), Input(ids.download_button(ids.PAY_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"),
          State(ids.PAY_GROUP, "value"), prevent_initial_call=True)
def download_pay(_clicks, filters, group):
    frame = _pay(filters, group)[["group", "adverts", "q1", "median", "q3", "other_period", "no_amount"]]
    return csv_payload(frame, f"pay-by-{group}.csv", advert_filter(filters), data_version())

"""Overview: how many adverts, and the share of informatics adverts that need each domain."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.express as px
from dash import dcc, html

from dashboard.context import warehouse_path
from dashboard.data import query

dash.register_page(__name__, path="/", name="Overview", title="cijobs - overview")

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
DOMAIN_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
PROVENANCE_NOTE = (
    "Competency statements come from cijobs' reconstruction of the FCI Core Competency Framework "
    "(Davies et al., BMJ Health Care Inform 2021): 22 of 111 statements were seen in a public source, "
    "89 are reconstructed and are not the official wording."
)


def _headline(figures: dict) -> dbc.Row:
    cards = [
        ("Adverts", f"{figures['adverts']:,}"),
        ("Informatics adverts", f"{figures['informatics_adverts']:,}"),
        ("Employers", f"{figures['employers']:,}"),
        ("Posted", f"{figures['first_posted'] or '-'} to {figures['last_posted'] or '-'}"),
        ("Last refresh", f"{figures['last_refresh']:%Y-%m-%d %H:%M} ({figures['last_refresh_status']})"
         if figures["last_refresh"] else "never"),
    ]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.Small(label), html.H4(value, className="mb-0")])))
                    for label, value in cards], className="g-2 mb-3", id="headline")


def _demand_table(demand) -> html.Table:
    header = html.Thead(html.Tr([html.Th("Domain"), html.Th("Informatics adverts needing it"),
                                 html.Th("of which essential"), html.Th("Share")]))
    rows = [
        html.Tr([html.Td(f"{r.domain_id}. {r.domain_title}", className="domain-name"),
                 html.Td(str(r.adverts_needing), className="domain-count"),
                 html.Td(str(r.adverts_needing_essential)),
                 html.Td(f"{r.share:.0%}")], id=f"domain-row-{r.domain_id}")
        for r in demand.itertuples()
    ]
    return dbc.Table([header, html.Tbody(rows)], id="domain-demand-table", bordered=False, hover=True, size="sm")


def layout(**_query):
    db = warehouse_path()
    figures = query("headline_figures", db)
    demand = query("domain_demand", db)
    monthly = query("monthly_domain_demand", db)
    demand["label"] = demand["domain_id"] + ". " + demand["domain_title"]
    bar = px.bar(demand, x="share", y="label", orientation="h", color="label",
                 color_discrete_sequence=DOMAIN_COLOURS, text=demand["share"].map("{:.0%}".format),
                 labels={"share": "Share of informatics adverts needing the domain", "label": ""})
    bar.update_layout(showlegend=False, xaxis_tickformat=".0%", yaxis={"autorange": "reversed"},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    monthly["label"] = monthly["domain_id"] + ". " + monthly["domain_title"]
    trend = px.line(monthly, x="month", y="share", color="label", color_discrete_sequence=DOMAIN_COLOURS,
                    markers=True, labels={"month": "Month posted", "share": "Share of informatics adverts",
                                          "label": "Domain"})
    trend.update_layout(yaxis_tickformat=".0%", margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return html.Div([
        html.H2("Demand for clinical informatics competencies"),
        _headline(figures),
        dbc.Row([
            dbc.Col([html.H4("Demand per domain"), dcc.Graph(figure=bar, id="domain-demand-chart"),
                     _demand_table(demand)], lg=6),
            dbc.Col([html.H4("Monthly trend"), dcc.Graph(figure=trend, id="domain-trend-chart")], lg=6),
        ]),
        dbc.Alert(PROVENANCE_NOTE, color="secondary", className="mt-3", id="provenance-note"),
    ])

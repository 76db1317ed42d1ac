"""Overview: headline figures, demand per domain (essential and desirable apart), trends by month or quarter."""
from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from dashboard import ids
from dashboard.components import (
    DESIRABLE_COLOUR,
    DOMAIN_COLOURS,
    ESSENTIAL_COLOUR,
    FIGURE_MARGIN,
    csv_payload,
    download_button,
    share_text,
    text_table,
)
from dashboard.context import data_version, figures, warehouse_path
from dashboard.data import query
from dashboard.filters import advert_filter
from matching.accuracy import accuracy_note, domain_count_ratios
from warehouse.small_numbers import suppress, with_intervals

# A share of fewer adverts than this swings by chance: such points are drawn open, and `auto` goes by quarter.

dash.register_page(__name__, path="/", name="Overview", title="cijobs - overview", order=0)


def layout(**_query):
    return html.Div([
        html.H2("Demand for clinical informatics competencies"),
        html.P(id=ids.OVERVIEW_SCOPE, className="text-muted"),
        html.Div(id=ids.HEADLINE),
        dbc.Row([
            dbc.Col([
                html.H4(["Demand per domain", download_button(ids.DOMAIN_DEMAND_DOWNLOAD)]),
                dcc.Graph(id=ids.DOMAIN_DEMAND_CHART),
                html.Div(id=ids.DOMAIN_DEMAND_TABLE_HOLDER),
            ], lg=6),
            dbc.Col([
                html.H4(["Trend", download_button(ids.TREND_DOWNLOAD)]),
                dbc.RadioItems(id=ids.TREND_MEASURE, value="new", inline=True, options=[
                    {"label": "new adverts (posted in the period)", "value": "new"},
                    {"label": "stock (adverts open in the period)", "value": "stock"}]),
                dbc.RadioItems(id=ids.TREND_PERIOD, value="auto", inline=True, options=[
                    {"label": "auto", "value": "auto"}, {"label": "by month", "value": "month"},
                    {"label": "by quarter", "value": "quarter"}]),
                dcc.Graph(id=ids.DOMAIN_TREND_CHART),
                html.Small(id=ids.TREND_CAPTION, className="text-muted"),
            ], lg=6),
        ]),
        dbc.Row([dbc.Col([html.H4("Top employers", className="mt-3"), html.Div(id=ids.TOP_EMPLOYERS)], lg=6),
                 dbc.Col([html.H4("Top job titles", className="mt-3"), html.Div(id=ids.TOP_TITLES)], lg=6)]),
        html.H4(["Year on year", download_button(ids.YEAR_ON_YEAR_DOWNLOAD)], className="mt-3"),
        html.P(id=ids.YEAR_ON_YEAR_SCOPE, className="text-muted"),
        html.Div(id=ids.YEAR_ON_YEAR_HOLDER),
        dbc.Alert(id=ids.PROVENANCE_NOTE, color="secondary", className="mt-3"),
    ])


def provenance_text(framework: dict) -> str:
    if not framework.get("version"):
        return "No framework loaded yet: run `cijobs match`."
    text = (f"Competencies: {framework['name']} [{framework['version']}], {framework['competencies']} statements: "
            f"{framework['seen']} seen in a public source, {framework['inferred']} reconstructed by cijobs "
            f"(not the official wording)")
    if framework["official"]:
        text += f", {framework['official']} official (imported)"
    return (text + f". Matcher {framework['matcher_version']}. Demand counts each advert once; re-posts are left out. "
            + accuracy_note(framework["matcher_version"], framework["version"]))


def _headline(figures: dict) -> dbc.Row:
    refresh = (f"{figures['last_refresh']:%Y-%m-%d %H:%M} ({figures['last_refresh_status']})"
               if figures["last_refresh"] else "never")
    cards = [("Adverts", f"{figures['adverts']:,}"), ("Open now", f"{figures['open_adverts']:,}"),
             ("Employers", f"{figures['employers']:,}"),
             ("Posted", f"{figures['first_posted'] or '-'} to {figures['last_posted'] or '-'}"),
             ("Last refresh", refresh)]
    return dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([html.Small(label), html.H5(value, className="mb-0")])))
                    for label, value in cards], className="g-2 mb-3")


def _demand_table(demand, count_ratios: dict[str, float]) -> html.Div:
    """Demand per domain, with how the matcher's count for the domain compared with readers' on real
    advert lines (when measured for the versions in use)."""
    checked = bool(count_ratios)
    header = html.Thead(html.Tr([html.Th("Domain"), html.Th("Adverts needing it"), html.Th("as essential"),
                                 html.Th("desirable only"), html.Th("Share (95 % interval)")]
                                + ([html.Th("Found / labelled on real lines")] if checked else [])))
    rows = [
        html.Tr([html.Td(f"{r.domain_id}. {r.domain_title}", className="domain-name"),
                 html.Td(str(r.adverts_needing), className="domain-count"),
                 html.Td(str(r.essential)), html.Td(str(r.desirable_only)),
                 html.Td(share_text(r), className="domain-share")]
                + ([html.Td(_ratio_text(count_ratios.get(r.domain_id)), className="domain-check")] if checked else []),
                id=ids.domain_row(r.domain_id))
        for r in demand.itertuples()
    ]
    table = dbc.Table([header, html.Tbody(rows)], id=ids.DOMAIN_DEMAND_TABLE, bordered=False, hover=True, size="sm")
    caption = html.Small("Found / labelled: on real advert lines labelled by hand, the lines the matcher puts in the "
                         "domain for each line a reader put there; under 1 the domain's demand is under-counted, over "
                         "1 over-counted (docs/matching.md).", className="text-muted") if checked else None
    return html.Div([table, caption])


def _ratio_text(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    ratio = round(ratio, 2)  # the verdict agrees with the figure shown
    verdict = "about right" if 0.9 <= ratio <= 1.1 else ("under-counted" if ratio < 1 else "over-counted")
    return f"{ratio:.2f} ({verdict})"


def _demand_chart(demand) -> go.Figure:
    """Shares resting on fewer than the minimum of adverts are not drawn (the table says why)."""
    demand = demand.assign(share=demand["share"].where(~demand["suppressed"]),
                           share_essential=demand["share_essential"].where(~demand["suppressed"]))
    labels = demand["domain_id"] + ". " + demand["domain_title"]
    figure = go.Figure([
        go.Bar(name="essential", y=labels, x=demand["share_essential"], orientation="h", marker_color=ESSENTIAL_COLOUR),
        go.Bar(name="desirable only", y=labels, x=demand["share"] - demand["share_essential"], orientation="h",
               marker_color=DESIRABLE_COLOUR),
    ])
    figure.update_layout(barmode="stack", xaxis_tickformat=".0%", yaxis={"autorange": "reversed"},
                         xaxis_title="Share of adverts needing the domain", margin=FIGURE_MARGIN,
                         legend={"orientation": "h", "x": 0, "y": -0.2})
    return figure


def _trend(filters, measure: str, period: str):
    """The trend frame and the period it is by: ``auto`` is by month unless a typical month has fewer
    than figures.min_adverts_per_point adverts (cijobs.toml), then by quarter."""
    db, flt = warehouse_path(), advert_filter(filters)
    if period != "auto":
        return query("domain_demand_over_time", db, flt, measure, period), period
    monthly = query("domain_demand_over_time", db, flt, measure, "month")
    typical = monthly.drop_duplicates("period")["adverts"].median() if len(monthly) else 0
    if typical >= figures().min_adverts_per_point:
        return monthly, "month"
    return query("domain_demand_over_time", db, flt, measure, "quarter"), "quarter"


def _period_label(start, period: str) -> str:
    label = f"{start:%b %Y}" if period == "month" else f"Q{(start.month - 1) // 3 + 1} {start:%Y}"
    return label + " (so far)" if _is_current(start, period) else label


def _is_current(start, period: str) -> bool:
    """The period today falls in: its count is partial, not a fall."""
    today = date.today()
    months = 1 if period == "month" else 3
    return start.year == today.year and start.month <= today.month < start.month + months


def _trend_chart(trend, period: str) -> go.Figure:
    figure = go.Figure()
    for index, (domain_id, rows) in enumerate(trend.groupby("domain_id", sort=False)):
        few = rows["adverts"] < figures().min_adverts_per_point  # a period with none has no share: a gap in the line
        labels = [_period_label(start, period) for start in rows["period"]]
        figure.add_scatter(x=labels, y=rows["share"], mode="lines+markers",
                           name=f"{domain_id}. {rows['domain_title'].iloc[0]}",
                           line={"color": DOMAIN_COLOURS[index % len(DOMAIN_COLOURS)]},
                           marker={"symbol": ["circle-open" if f else "circle" for f in few], "size": 7},
                           customdata=rows["adverts"], hovertemplate="%{x}: %{y:.0%} of %{customdata} adverts")
    figure.update_layout(yaxis_tickformat=".0%", yaxis_title="Share of adverts needing the domain",
                         xaxis_title=period.capitalize(), margin=FIGURE_MARGIN,
                         legend={"orientation": "h", "y": -0.25})
    return figure


def _trend_caption(trend, period: str, chosen: str) -> str:
    per_point = figures().min_adverts_per_point
    how = f"By {period}" + (f" (auto: a typical month has fewer than {per_point} adverts)"
                            if chosen == "auto" and period == "quarter" else "")
    counts = trend.drop_duplicates("period")["adverts"] if len(trend) else trend.get("adverts", [])
    few = ((counts > 0) & (counts < figures().min_adverts_per_point)).sum() if len(trend) else 0
    empty = (counts == 0).sum() if len(trend) else 0
    if few:
        how += (f". Open circles: {few} {period}s with fewer than {per_point} adverts, where a share "
                "moves a long way by chance")
    if empty:
        how += f". Gaps: {empty} {period}s with no adverts"
    if len(trend) and _is_current(trend["period"].max(), period):
        how += f". The last {period} is not over yet (so far)"
    return how + "."


@callback(
    Output(ids.OVERVIEW_SCOPE, "children"), Output(ids.HEADLINE, "children"), Output(ids.DOMAIN_DEMAND_CHART, "figure"),
    Output(ids.DOMAIN_DEMAND_TABLE_HOLDER, "children"), Output(ids.PROVENANCE_NOTE, "children"),
    Input(ids.FILTERS, "data"),
)
def show_overview(filters):
    db, flt = warehouse_path(), advert_filter(filters)
    demand = with_intervals(query("domain_demand", db, flt), figures().min_adverts)
    framework = query("framework_overview", db)
    headline = query("headline", db, flt)
    scope = (f"Showing {flt.describe()}." if headline["adverts"] else
             f"No adverts match these filters ({flt.describe()}): widen them, or clear a filter.")
    return (scope, _headline(headline), _demand_chart(demand),
            _demand_table(demand, domain_count_ratios(framework.get("matcher_version"), framework.get("version"))),
            provenance_text(framework))


@callback(Output(ids.DOMAIN_TREND_CHART, "figure"), Output(ids.TREND_CAPTION, "children"),
          Input(ids.FILTERS, "data"), Input(ids.TREND_MEASURE, "value"), Input(ids.TREND_PERIOD, "value"))
def show_trend(filters, measure, chosen):
    trend, period = _trend(filters, measure, chosen)
    return _trend_chart(trend, period), _trend_caption(trend, period, chosen)


@callback(Output(ids.DOMAIN_DEMAND_DOWNLOAD, "data"),
          Input(ids.download_button(ids.DOMAIN_DEMAND_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), prevent_initial_call=True)
def download_demand(_clicks, filters):
    frame = query("domain_demand", warehouse_path(), advert_filter(filters))
    return csv_payload(suppress(frame, figures().min_adverts), "domain-demand.csv", advert_filter(filters),
                       data_version())


@callback(Output(ids.TREND_DOWNLOAD, "data"), Input(ids.download_button(ids.TREND_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), State(ids.TREND_MEASURE, "value"), State(ids.TREND_PERIOD, "value"),
          prevent_initial_call=True)
def download_trend(_clicks, filters, measure, chosen):
    trend, period = _trend(filters, measure, chosen)
    return csv_payload(trend, f"domain-trend-{measure}-by-{period}.csv", advert_filter(filters), data_version())


YEAR_ON_YEAR_COLUMNS = {"domain": "Domain", "share_text": "Last 12 months", "previous_text": "12 months before",
                        "change": "Change", "volume": "Adverts"}


def _year_on_year(filters):
    minimum = figures().min_adverts
    frame = query("year_on_year", warehouse_path(), advert_filter(filters))
    if frame.empty:
        return frame, "No adverts match these filters."
    now = with_intervals(frame[["domain_id", "adverts", "adverts_needing", "share"]], minimum)
    before = with_intervals(frame[["domain_id", "previous_adverts", "previous_needing", "previous_share"]].set_axis(
        ["domain_id", "adverts", "adverts_needing", "share"], axis=1), minimum)
    frame["domain"] = frame["domain_id"] + " " + frame["domain_title"]
    frame["share_text"] = [share_text(row) for row in now.itertuples()]
    frame["previous_text"] = [share_text(row) if row.adverts else "no adverts" for row in before.itertuples()]
    comparable = ~now["suppressed"] & ~before["suppressed"]
    frame["change_points"] = ((frame["share"] - frame["previous_share"]) * 100).where(comparable)
    frame["change"] = [f"{points:+.0f} points" if points == points else "not compared (too few adverts)"
                       for points in frame["change_points"]]
    frame["volume"] = [f"{now_n:,} vs {before_n:,}" + (f" ({(now_n - before_n) / before_n:+.0%})" if before_n else "")
                       for now_n, before_n in zip(frame["adverts"], frame["previous_adverts"])]
    scope = (f"{frame['period'].iloc[0]} against {frame['previous_period'].iloc[0]} (the 12 months to the newest "
             "advert under the filters, their own dates set aside); a change is given only where both shares are "
             "shown.")
    return frame, scope


@callback(Output(ids.YEAR_ON_YEAR_SCOPE, "children"), Output(ids.YEAR_ON_YEAR_HOLDER, "children"),
          Input(ids.FILTERS, "data"))
def show_year_on_year(filters):
    frame, scope = _year_on_year(filters)
    return scope, text_table(frame, YEAR_ON_YEAR_COLUMNS, ids.YEAR_ON_YEAR_TABLE) if not frame.empty else None


@callback(Output(ids.YEAR_ON_YEAR_DOWNLOAD, "data"), Input(ids.download_button(ids.YEAR_ON_YEAR_DOWNLOAD), "n_clicks"),
          State(ids.FILTERS, "data"), prevent_initial_call=True)
def download_year_on_year(_clicks, filters):
    frame, _scope = _year_on_year(filters)
    kept = ["domain_id", "domain_title", "period", "adverts", "adverts_needing", "share", "previous_period",
            "previous_adverts", "previous_needing", "previous_share", "change_points"]
    frame = frame[[column for column in kept if column in frame]]
    return csv_payload(frame, "year-on-year.csv", advert_filter(filters), data_version())


@callback(Output(ids.TOP_EMPLOYERS, "children"), Output(ids.TOP_TITLES, "children"), Input(ids.FILTERS, "data"))
def show_top(filters):
    db, flt = warehouse_path(), advert_filter(filters)
    return tuple(text_table(query("top_values", db, flt, column), {"value": label, "adverts": "Adverts"}, table_id)
                 for column, label, table_id in (("employer", "Employer", ids.TOP_EMPLOYERS_TABLE),
                                                 ("title", "Job title", ids.TOP_TITLES_TABLE)))

"""The filter bar shared by every page, and turning its state into a warehouse AdvertFilter."""
from __future__ import annotations

from datetime import date, timedelta

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc
from dash.exceptions import PreventUpdate

from dashboard import ids
from warehouse.filters import AdvertFilter

# Date presets, counted back from the newest advert (not today: a warehouse of 2020 adverts has a "last year").
DATE_PRESETS = {"all": "all dates", "last-12-months": "last 12 months", "this-year": "this year (to date)",
                "last-year": "last year"}
MULTI_FILTERS = (("region", "Region"), ("band", "Band"), ("role_family", "Role family"), ("employer", "Employer"),
                 ("source", "Source"))
# Each dropdown's field in the stored filter state (and in warehouse.filters.AdvertFilter).
STORED_AS = {"region": "regions", "band": "bands", "role_family": "role_families", "employer": "employers",
             "source": "sources"}


def filter_bar(options: dict) -> dbc.Card:
    first, last = options.get("date_range") or (None, None)
    dropdowns = [
        dbc.Col(dcc.Dropdown(id=ids.filter_dropdown(name), options=options.get(name, []), multi=True,
                             placeholder=label),
                md=2)
        for name, label in MULTI_FILTERS
    ]
    return dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col([dcc.DatePickerRange(id=ids.FILTER_DATES, start_date=first, end_date=last, min_date_allowed=first,
                                     max_date_allowed=last, display_format="YYYY-MM-DD",
                                     start_date_placeholder_text="posted from", end_date_placeholder_text="to"),
                 dcc.Dropdown(id=ids.FILTER_PRESET, options=[{"label": label, "value": key}
                                                             for key, label in DATE_PRESETS.items()],
                              placeholder="or: last 12 months, this year, last year...", className="mt-1")],
                md=3),
        *dropdowns,
        dbc.Col([
            dbc.RadioItems(id=ids.FILTER_LEVEL, value="any", inline=True,
                           options=[{"label": "any", "value": "any"}, {"label": "essential", "value": "essential"},
                                    {"label": "desirable", "value": "desirable"}]),
            dbc.Switch(id=ids.FILTER_INFORMATICS, value=True, label="informatics adverts only"),
        ], md=12, lg=4),
    ], className="g-2")), className="mb-3", id=ids.FILTER_BAR)


@callback(
    Output(ids.FILTERS, "data"),
    Input(ids.FILTER_DATES, "start_date"), Input(ids.FILTER_DATES, "end_date"),
    *[Input(ids.filter_dropdown(name), "value") for name, _ in MULTI_FILTERS],
    Input(ids.FILTER_LEVEL, "value"), Input(ids.FILTER_INFORMATICS, "value"),
)
def store_filters(start, end, regions, bands, families, employers, sources, level, informatics):
    chosen = zip((STORED_AS[name] for name, _ in MULTI_FILTERS), (regions, bands, families, employers, sources))
    return {"date_from": start, "date_to": end, **{field: values or [] for field, values in chosen},
            "level": level or "any", "informatics_only": bool(informatics)}


def _date(value) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def advert_filter(data: dict | None) -> AdvertFilter:
    """The AdvertFilter for the stored filter state (defaults when nothing is chosen yet)."""
    data = data or {}
    return AdvertFilter(
        date_from=_date(data.get("date_from")), date_to=_date(data.get("date_to")),
        regions=tuple(data.get("regions") or ()), bands=tuple(data.get("bands") or ()),
        role_families=tuple(data.get("role_families") or ()), employers=tuple(data.get("employers") or ()),
        sources=tuple(data.get("sources") or ()), informatics_only=data.get("informatics_only", True),
        level=data.get("level") or "any",
    )


def preset_dates(preset: str, first: str | None, last: str | None) -> tuple[str | None, str | None]:
    """(from, to) of a date preset, years counted back from ``last`` (the newest advert's date)."""
    if not last or preset == "all":
        return first, last
    newest = date.fromisoformat(last[:10])
    if preset == "last-12-months":
        return max((newest - timedelta(days=364)).isoformat(), first or ""), newest.isoformat()  # 365 days
    if preset == "this-year":
        return max(date(newest.year, 1, 1).isoformat(), first or ""), newest.isoformat()
    if preset == "last-year":
        return max(date(newest.year - 1, 1, 1).isoformat(), first or ""), date(newest.year - 1, 12, 31).isoformat()
    raise ValueError(f"unknown date preset {preset!r}")


@callback(Output(ids.FILTER_DATES, "start_date", allow_duplicate=True),
          Output(ids.FILTER_DATES, "end_date", allow_duplicate=True),
          Input(ids.FILTER_PRESET, "value"),
          State(ids.FILTER_DATES, "min_date_allowed"), State(ids.FILTER_DATES, "max_date_allowed"),
          prevent_initial_call=True)
def choose_preset(preset, first, last):
    if preset not in DATE_PRESETS:
        raise PreventUpdate
    return preset_dates(preset, first, last)

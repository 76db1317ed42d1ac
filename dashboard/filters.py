"""The filter bar shared by every page, and turning its state into a warehouse AdvertFilter."""
from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc

from dashboard import ids
from warehouse.filters import AdvertFilter

MULTI_FILTERS = (("region", "Region"), ("band", "Band"), ("role_family", "Role family"), ("employer", "Employer"),
                 ("source", "Source"))


def filter_bar(options: dict) -> dbc.Card:
    first, last = options.get("date_range") or (None, None)
    dropdowns = [
        dbc.Col(dcc.Dropdown(id=ids.filter_dropdown(name), options=options.get(name, []), multi=True,
                             placeholder=label),
                md=2)
        for name, label in MULTI_FILTERS
    ]
    return dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col(dcc.DatePickerRange(id=ids.FILTER_DATES, start_date=first, end_date=last, min_date_allowed=first,
                                    max_date_allowed=last, display_format="YYYY-MM-DD",
                                    start_date_placeholder_text="posted from", end_date_placeholder_text="to"),
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
    return {"date_from": start, "date_to": end, "regions": regions or [], "bands": bands or [],
            "role_families": families or [], "employers": employers or [], "sources": sources or [],
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

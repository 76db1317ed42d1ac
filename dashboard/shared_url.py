"""Shareable views: the filters live in the address bar's query string, so a copied link reproduces the view.

``?region=London&band=Band+8a&from=2025-01-01&level=essential``: what differs from the defaults is written
(dates only when narrower than all the data), the page links carry it, and a link opened later sets the
filter bar from it. The address is rewritten in place (history.replaceState), so changing a filter neither
reloads the page nor adds a step to the browser's history.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.filters import MULTI_FILTERS, STORED_AS

LEVELS = ("any", "essential", "desirable")


def query_string(filters: dict | None, first: str | None, last: str | None) -> str:
    """The query string ("?..." or "") for a filter state, given the whole data's date range."""
    filters = filters or {}
    pairs = []
    if filters.get("date_from") and str(filters["date_from"])[:10] != (first or "")[:10]:
        pairs.append(("from", str(filters["date_from"])[:10]))
    if filters.get("date_to") and str(filters["date_to"])[:10] != (last or "")[:10]:
        pairs.append(("to", str(filters["date_to"])[:10]))
    for name, _label in MULTI_FILTERS:
        pairs += [(name, value) for value in filters.get(STORED_AS[name]) or []]
    if filters.get("level", "any") != "any":
        pairs.append(("level", filters["level"]))
    if filters.get("informatics_only") is False:
        pairs.append(("all", "1"))
    return "?" + urlencode(pairs) if pairs else ""


def controls_from_query(search: str | None, first: str | None, last: str | None) -> dict:
    """The filter bar's values a query string asks for; what it does not say keeps the defaults, and what
    cannot be read (a malformed date, an unknown level) is left at its default too."""
    asked = parse_qs((search or "").lstrip("?"))
    return {
        "date_from": _date(asked.get("from"), first), "date_to": _date(asked.get("to"), last),
        **{name: asked.get(name, []) for name, _ in MULTI_FILTERS},
        "level": next((v for v in asked.get("level", []) if v in LEVELS), "any"),
        "informatics_only": asked.get("all", ["0"])[0] != "1",
    }


def _date(values: list[str] | None, default: str | None) -> str | None:
    try:
        return date.fromisoformat(values[0]).isoformat() if values else default
    except ValueError:
        return default


@callback(
    Output(ids.FILTER_DATES, "start_date"), Output(ids.FILTER_DATES, "end_date"),
    *[Output(ids.filter_dropdown(name), "value") for name, _ in MULTI_FILTERS],
    Output(ids.FILTER_LEVEL, "value"), Output(ids.FILTER_INFORMATICS, "value"),
    Output(ids.LINK_WARNING, "children"), Output(ids.LINK_WARNING, "is_open"),
    Input(ids.URL, "search"),
    State(ids.FILTER_DATES, "min_date_allowed"), State(ids.FILTER_DATES, "max_date_allowed"),
    *[State(ids.filter_dropdown(name), "options") for name, _ in MULTI_FILTERS],
)
def apply_query(search, first, last, *options):
    """A link opened with filters in it sets the filter bar (a link without them leaves it alone); a value
    this data does not have is left out, and the page says so."""
    if not search or search == "?":
        raise PreventUpdate
    controls = controls_from_query(search, first, last)
    unknown = []
    for (name, label), offered in zip(MULTI_FILTERS, options):
        known = {option["value"] if isinstance(option, dict) else option for option in offered or []}
        unknown += [f"{label.lower()} '{value}'" for value in controls[name] if value not in known]
        controls[name] = [value for value in controls[name] if value in known]
    warning = (f"This link asks for {', '.join(unknown)}, which this data does not have: left out of the filters."
               if unknown else "")
    return (controls["date_from"], controls["date_to"], *[controls[name] for name, _ in MULTI_FILTERS],
            controls["level"], controls["informatics_only"], warning, bool(unknown))


@callback(Output(ids.FILTER_QUERY, "data"), Input(ids.FILTERS, "data"),
          State(ids.FILTER_DATES, "min_date_allowed"), State(ids.FILTER_DATES, "max_date_allowed"))
def write_query(filters, first, last):
    return query_string(filters, first, last)


clientside_callback(ClientsideFunction(namespace="cijobs", function_name="writeQuery"),
                    Output(ids.URL_WRITTEN, "data"), Input(ids.FILTER_QUERY, "data"))


def link_pages(app, pages: list[dict]) -> None:
    """Keep every navigation link's query string the filters' (on this app: its pages are known only now)."""
    @app.callback(*[Output(ids.nav_link(page["path"]), "href") for page in pages], Input(ids.FILTER_QUERY, "data"))
    def link_with_filters(query):
        if query is None:
            return [no_update] * len(pages)
        return [page["relative_path"] + query for page in pages]

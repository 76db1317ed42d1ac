"""The Dash application: a multi-page app reading the warehouse only through ``dashboard.data``."""
from __future__ import annotations

import logging
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import duckdb
import flask
from dash import dcc, html, set_props
from werkzeug.exceptions import HTTPException

import warehouse
from dashboard import auth, ids
from dashboard.context import warehouse_path
from dashboard.data import query
from dashboard.filters import filter_bar
from dashboard.shared_url import link_pages

logger = logging.getLogger("cijobs.dashboard")


def _layout():
    try:
        options = query("filter_options", warehouse_path())
    except (warehouse.WarehouseError, duckdb.Error) as exc:
        logger.error("the dashboard cannot read the warehouse: %s", exc)
        # The page container stays (hidden): Dash's page router needs it in every layout.
        return dbc.Container([dbc.Alert(unreadable_message(exc), color="danger"),
                              html.Div(dash.page_container, hidden=True)], className="py-3")
    nav = dbc.NavbarSimple(
        brand="cijobs: what UK employers ask of clinical informaticians",
        children=[dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"],
                                          id=ids.nav_link(page["path"])))
                  for page in nav_pages()],
        color="primary", dark=True,
    )
    return html.Div([
        nav,
        dcc.Location(id=ids.URL), dcc.Store(id=ids.FILTER_QUERY), dcc.Store(id=ids.URL_WRITTEN),
        dbc.Container([dcc.Store(id=ids.FILTERS, storage_type="session"), filter_bar(options),
                       dbc.Alert(id=ids.DATA_ERROR, color="danger", is_open=False),
                       dbc.Alert(id=ids.LINK_WARNING, color="warning", is_open=False), dash.page_container],
                      fluid=True, className="py-3"),
    ])


def nav_pages() -> list[dict]:
    """The pages the navigation bar links (not one advert's page, which the adverts table links)."""
    return [page for page in dash.page_registry.values() if page.get("in_nav", True)]


def unreadable_message(exc: Exception) -> str:
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return (f"The warehouse cannot be read ({first_line}). It may be damaged or half-written: run `cijobs status` "
            "to check it, and `cijobs refresh` to rebuild and publish it.")


def _callback_failed(error: Exception) -> None:
    """A callback that fails answers no 500: a warehouse that cannot be read is said on the page; anything
    else (a forged or stale request: a bad date, a list where a string belongs) is logged and refused quietly."""
    if isinstance(error, (warehouse.WarehouseError, duckdb.Error)):
        logger.error("a dashboard view cannot read the warehouse: %s", error)
        set_props(ids.DATA_ERROR, {"children": unreadable_message(error), "is_open": True})
    else:
        logger.warning("a dashboard request was refused: %s: %s", type(error).__name__, error)


def _request_failed(error: Exception):
    """What no callback handler saw (Dash's own page router given a forged path): a 400 for a callback
    request, logged; any other request keeps its own status (a 404 stays a 404)."""
    if isinstance(error, HTTPException):
        return error
    if flask.request.path.endswith("/_dash-update-component"):
        logger.warning("a dashboard request was refused: %s: %s", type(error).__name__, error)
        return flask.Response("request refused", 400)
    logger.exception("a dashboard request failed")
    return flask.Response("the dashboard failed on this request; see the server log", 500)


def create_app(db: Path, figures=None, review: bool = False) -> dash.Dash:
    """The dashboard on warehouse ``db``, with the settings that change figures (cijobs.config.FiguresSection;
    the defaults when None); ``review`` lets planners save reviewed lines (dashboard.review)."""
    from cijobs.config import FiguresSection

    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        # Bootstrap's CSS is served from dashboard/assets (vendored, MIT): the dashboard works offline.
        assets_folder=str(Path(__file__).parent / "assets"),
        title="cijobs - clinical informatics jobs",
        # Off: Dash checks every callback's ids against all pages' layouts (its validation layout), so a
        # misspelt id is an error, not a callback that never fires.
        suppress_callback_exceptions=False,
        on_error=_callback_failed,
    )
    app.server.config["CIJOBS_DB"] = str(db)
    app.server.config["CIJOBS_FIGURES"] = figures or FiguresSection()
    app.server.config["CIJOBS_REVIEW"] = review
    app.server.register_error_handler(Exception, _request_failed)
    auth.protect(app.server)
    link_pages(app, nav_pages())
    with app.server.app_context():  # Dash renders the layout once now, to validate it against the callbacks
        app.layout = _layout
    return app

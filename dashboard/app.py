"""The Dash application: a multi-page app reading the warehouse only through ``dashboard.data``."""
from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import auth
from dashboard.context import warehouse_path
from dashboard.data import query
from dashboard.filters import filter_bar


def _layout():
    options = query("filter_options", warehouse_path())
    nav = dbc.NavbarSimple(
        brand="cijobs: what UK employers ask of clinical informaticians",
        children=[dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"]))
                  for page in dash.page_registry.values()],
        color="primary", dark=True,
    )
    return html.Div([
        nav,
        dbc.Container([dcc.Store(id="filters", storage_type="session"), filter_bar(options), dash.page_container],
                      fluid=True, className="py-3"),
    ])


def create_app(db: Path) -> dash.Dash:
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        # Bootstrap's CSS is served from dashboard/assets (vendored, MIT): the dashboard works offline.
        assets_folder=str(Path(__file__).parent / "assets"),
        title="cijobs - clinical informatics jobs",
        suppress_callback_exceptions=True,
    )
    app.server.config["CIJOBS_DB"] = str(db)
    auth.protect(app.server)
    app.layout = _layout
    return app

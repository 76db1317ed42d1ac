"""The Dash application: a multi-page app reading the warehouse only through ``dashboard.data``."""
from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import html


def create_app(db: Path) -> dash.Dash:
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        external_stylesheets=[dbc.themes.BOOTSTRAP],
        title="cijobs - clinical informatics jobs",
        suppress_callback_exceptions=True,
    )
    app.server.config["CIJOBS_DB"] = str(db)
    nav = dbc.NavbarSimple(
        brand="cijobs: what UK employers ask of clinical informaticians",
        children=[dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"]))
                  for page in dash.page_registry.values()],
        color="primary", dark=True,
    )
    app.layout = html.Div([nav, dbc.Container(dash.page_container, fluid=True, className="py-3")])
    return app

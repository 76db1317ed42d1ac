"""WSGI entry point for running the dashboard under gunicorn: ``CIJOBS_DB=... gunicorn -w 2 dashboard.wsgi:server``.

The settings that change figures come from ./cijobs.toml when there is one; reviewing lines (dashboard.review)
is on only behind basic auth, since a WSGI server is usually reachable by others."""
from __future__ import annotations

import warehouse
from cijobs.config import load_config
from dashboard.app import create_app
from dashboard.auth import credentials

server = create_app(warehouse.default_path(), load_config(None).figures, review=credentials() is not None).server

"""WSGI entry point for running the dashboard under gunicorn: ``CIJOBS_DB=... gunicorn -w 2 dashboard.wsgi:server``."""
from __future__ import annotations

import warehouse
from dashboard.app import create_app

server = create_app(warehouse.default_path()).server

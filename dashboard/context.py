"""Per-request context for page layouts: which warehouse the running app reads."""
from __future__ import annotations

from pathlib import Path

import flask


def warehouse_path() -> Path:
    return Path(flask.current_app.config["CIJOBS_DB"])


def figures():
    """The settings that change published figures (cijobs.toml [figures]) the running app was started with."""
    return flask.current_app.config["CIJOBS_FIGURES"]


def data_version() -> str:
    """The published data's version in one line (newest run, matcher, framework), recorded in every download."""
    from dashboard.data import query

    return query("data_version", warehouse_path())


def review_enabled() -> bool:
    """Whether a planner may save reviewed lines (dashboard.review): only where the dashboard is not open to all."""
    return bool(flask.current_app.config.get("CIJOBS_REVIEW"))

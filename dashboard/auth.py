"""Optional HTTP basic auth for the dashboard, from CIJOBS_DASHBOARD_USER / CIJOBS_DASHBOARD_PASSWORD."""
from __future__ import annotations

import hmac
import os

import flask

USER_VARIABLE, PASSWORD_VARIABLE = "CIJOBS_DASHBOARD_USER", "CIJOBS_DASHBOARD_PASSWORD"


def protect(server: flask.Flask) -> bool:
    """Require basic auth on every request when both variables are set; True when it was switched on."""
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if not user or not password:
        return False

    @server.before_request
    def require_login():
        given = flask.request.authorization
        if given and hmac.compare_digest(given.username or "", user) and hmac.compare_digest(
                given.password or "", password):
            return None
        return flask.Response("Login required", 401, {"WWW-Authenticate": 'Basic realm="cijobs"'})

    return True

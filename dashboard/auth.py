"""Optional HTTP basic auth for the dashboard, from CIJOBS_DASHBOARD_USER / CIJOBS_DASHBOARD_PASSWORD.

Both set and non-empty: every request (pages, callbacks, assets) needs them. Neither set: no auth. Anything
in between (only one, or an empty one) is a configuration error, never a dashboard served open.
"""
from __future__ import annotations

import hmac
import ipaddress
import os

import flask

USER_VARIABLE, PASSWORD_VARIABLE = "CIJOBS_DASHBOARD_USER", "CIJOBS_DASHBOARD_PASSWORD"


class AuthSettingsError(ValueError):
    """Half an auth configuration."""


def credentials() -> tuple[str, str] | None:
    """(user, password) when auth is configured, None when it is not; AuthSettingsError for half of it."""
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user is None and password is None:
        return None
    if not user or not password:
        missing = [name for name, value in ((USER_VARIABLE, user), (PASSWORD_VARIABLE, password)) if not value]
        raise AuthSettingsError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} unset or empty: "
                                f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE} for basic auth, or neither")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def protect(server: flask.Flask) -> bool:
    """Require basic auth on every request when it is configured; True when it was switched on."""
    configured = credentials()
    if configured is None:
        return False
    user, password = configured

    @server.before_request
    def require_login():
        given = flask.request.authorization
        if given and hmac.compare_digest(given.username or "", user) and hmac.compare_digest(
                given.password or "", password):
            return None
        return flask.Response("Login required", 401, {"WWW-Authenticate": 'Basic realm="cijobs"'})

    return True

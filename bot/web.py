"""The WSGI application: Slack's requests, a health check and the metrics page; with
many workspaces also the landing page, the privacy page and "Add to Slack"."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from slack_bolt import App

from bot import pages
from bot.clock import Clock, SystemClock
from bot.observability import metrics
from bot.slack.requests import RequestHandler
from bot.storage.db import Database

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
# Slack's largest payloads (a view submission with long fields) are far below this.
MAX_BODY_BYTES = 1_000_000


def _reply(start_response, status: str, body: dict) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _html(start_response, status: str, body: str, method: str = "GET") -> Iterable[bytes]:
    data = body.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data] if method != "HEAD" else []


def make_wsgi_app(
    app: App | None,
    db: Database,
    *,
    clock: Clock | None = None,
    metrics_dir: str | None = None,
) -> Callable:
    """``app=None`` serves only /healthz and /metrics (Socket Mode, where Slack's requests
    arrive over the socket and are not signed, so none may come in over HTTP).
    ``metrics_dir`` is where gunicorn's workers keep their metrics, if there are several."""
    slack = RequestHandler(app, path=SLACK_PATH) if app is not None else None
    clock = clock or SystemClock()
    oauth = app.oauth_flow if app is not None else None
    install_paths = {oauth.install_path, oauth.redirect_uri_path} if oauth is not None else set()

    def wsgi(environ, start_response) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            if db.answers():
                return _reply(start_response, "200 OK", {"status": "ok", "database": "ok"})
            return _reply(
                start_response,
                "503 Service Unavailable",
                {"status": "unavailable", "database": "unreachable"},
            )
        if path == METRICS_PATH and method in ("GET", "HEAD"):
            body, content_type = metrics.render(db, clock, metrics_dir)
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            )
            return [body] if method == "GET" else []
        if slack is not None and path == SLACK_PATH and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                return _reply(start_response, "413 Content Too Large", {"error": "too_large"})
            return slack(environ, start_response)
        if oauth is not None and method in ("GET", "HEAD"):
            if path == "/":
                return _html(start_response, "200 OK", pages.landing_page(), method)
            if path == "/privacy":
                return _html(start_response, "200 OK", pages.privacy_page(), method)
            if path in install_paths and method == "GET":
                return _install(slack, environ, start_response)
        return _reply(start_response, "404 Not Found", {"error": "not_found"})

    return wsgi


def _install(slack: RequestHandler, environ, start_response) -> Iterable[bytes]:
    """Bolt's install and redirect handlers; whatever they raise (Slack unreachable, the
    database gone) ends on a page that says so, never a stack trace."""
    answered: list = []

    def remember(status, headers, exc_info=None):
        answered.append((status, headers))

    try:
        body = b"".join(slack(environ, remember))
    except Exception as e:
        log.error("an install failed: %s", e.__class__.__name__)
        page = pages.install_failed_page("unavailable")
        return _html(start_response, "502 Bad Gateway", page)
    status, headers = answered[0]
    start_response(status, headers)
    return [body]

"""The WSGI application: Slack's requests, a health check and the metrics page."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.clock import Clock, SystemClock
from bot.observability import metrics
from bot.storage.db import Database

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
    slack = SlackRequestHandler(app, path=SLACK_PATH) if app is not None else None
    clock = clock or SystemClock()

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
        return _reply(start_response, "404 Not Found", {"error": "not_found"})

    return wsgi

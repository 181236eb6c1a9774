"""Serving the app: gunicorn over HTTP, or a Socket Mode connection."""

from __future__ import annotations

import gc
import logging
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from bot.bootstrap import Container
from bot.observability import multiproc
from bot.scheduler import start_scheduler
from bot.slack.handover import Handover
from bot.web import make_wsgi_app

log = logging.getLogger(__name__)


class _PropagatingLogger(glogging.Logger):
    """Gunicorn's messages go through our handlers (and their secret filter)."""

    def setup(self, cfg) -> None:
        for logger in (self.error_log, self.access_log):
            logger.handlers.clear()
            logger.propagate = True


class _Gunicorn(BaseApplication):
    def __init__(self, wsgi, options: dict):
        self._wsgi = wsgi
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._wsgi


def serve_http(container: Container) -> None:
    """Blocks until gunicorn is stopped (SIGTERM or SIGINT)."""
    settings = container.settings

    def post_fork(_server, _worker) -> None:
        # Pooled connections must not be shared with the parent process.
        container.db.dispose()
        if settings.listener_processes:
            handover = Handover(
                settings, processes=settings.listener_processes, clock=container.clock
            )
            handover.start()
            container.app.handover = handover
        # Every worker sends check-ins; the database decides which one sends what.
        start_scheduler(container)

    def worker_exit(_server, _worker) -> None:
        if container.app.handover is not None:
            container.app.handover.stop()

    options = {
        "bind": f"0.0.0.0:{settings.port}",
        "workers": settings.web_concurrency,
        "worker_class": "gthread",
        "threads": 8,
        # The app is built once, before forking, so start-up errors stop the master.
        "preload_app": True,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "logger_class": _PropagatingLogger,
        "loglevel": settings.log_level.lower(),
        "post_fork": post_fork,
        "worker_exit": worker_exit,
        "proc_name": "voice-coach",
        # Every worker's metrics in one directory, summed by /metrics.
        **multiproc.gunicorn_hooks(settings.metrics_dir),
    }
    log.info(
        "serving HTTP on port %d (%d worker(s), %d listener process(es) each)",
        settings.port,
        settings.web_concurrency,
        settings.listener_processes,
    )
    wsgi = make_wsgi_app(
        container.app, container.db, clock=container.clock, metrics_dir=settings.metrics_dir
    )
    # What was built so far lives as long as the process: keep it out of the collector's
    # full passes in the workers (one took 73 ms, stalling every request in flight, in
    # bench/ack_latency.py; 3 ms frozen), and its memory pages shared after the fork.
    gc.freeze()
    _Gunicorn(wsgi, options).run()


def serve_socket_mode(container: Container) -> None:
    """Blocks, connected to Slack over a WebSocket; no public URL needed."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    start_scheduler(container)
    serve_probes(container)
    log.info("connecting to Slack in Socket Mode")
    SocketModeHandler(container.app, container.settings.slack_app_token).start()


class _ProbeServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # a scrape every few seconds is not news
        pass


def serve_probes(container: Container) -> WSGIServer | None:
    """Socket Mode has no web server for Slack, but operators still need /healthz and
    /metrics: a small one on PORT serves those two and nothing else. A PORT already in
    use is a warning, not a stop (Socket Mode works without them, e.g. on a laptop)."""
    settings = container.settings
    wsgi = make_wsgi_app(
        None, container.db, clock=container.clock, metrics_dir=settings.metrics_dir
    )
    try:
        server = make_server(
            "0.0.0.0", settings.port, wsgi, server_class=_ProbeServer, handler_class=_QuietHandler
        )
    except OSError as e:
        log.warning(
            "PORT %d is not free (%s): /healthz and /metrics are not served", settings.port, e
        )
        return None
    threading.Thread(target=server.serve_forever, name="probes", daemon=True).start()
    log.info("serving /healthz and /metrics on port %d", settings.port)
    return server

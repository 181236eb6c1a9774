"""Running the app under test: its WSGI app in a server thread, or a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.bootstrap import Container, build
from bot.clock import Clock
from bot.settings import Settings
from bot.web import make_wsgi_app

ROOT = Path(__file__).resolve().parents[2]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


@dataclass
class RunningApp:
    container: Container
    url: str
    server: _ThreadingServer

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every listener has finished: Slack's acks come first."""
        assert self.container.app.listener_pool.wait_idle(timeout), "listeners still busy"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.container.db.engine.dispose()


def serve_in_thread(settings: Settings, clock: Clock | None = None) -> RunningApp:
    """The production WSGI app, built by bootstrap, behind a real HTTP server thread."""
    container = build(settings, clock=clock)
    server = make_server(
        "127.0.0.1",
        0,
        make_wsgi_app(container.app, container.db),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return RunningApp(container, f"http://127.0.0.1:{server.server_port}", server)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppProcess:
    process: subprocess.Popen
    url: str
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, timeout: float = 10.0) -> float:
        """Seconds until /healthz answered 200; raises if it never does."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise AssertionError(f"app exited {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.02)
        raise AssertionError(f"/healthz never answered 200:\n{self.output()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def app_env(fake_slack, database_url: str, **extra: str) -> dict[str, str]:
    """``python -m bot``'s environment for one workspace on the fake Slack, on a free port."""
    from tests.conftest import BOT_TOKEN, SIGNING_SECRET

    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        **extra,
    }


def start_process(env: dict[str, str], cwd: Path, args: tuple[str, ...] = ()) -> AppProcess:
    """``python -m bot`` as production runs it, with only the given environment."""
    log_path = cwd / f"app-{time.monotonic_ns()}.log"
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    return AppProcess(process, f"http://127.0.0.1:{env.get('PORT', '3000')}", log_path)

"""The playground's web server: the page that plays Slack's client, and the few JSON
endpoints its script calls. Each endpoint turns what the person did into the request Slack
would send the app (through ``World``)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from wsgiref.simple_server import WSGIServer, make_server

from bot.playground import page
from bot.playground.world import PEOPLE, QuietHandler, ThreadingServer, World

log = logging.getLogger(__name__)

STATIC = {"play.js": "text/javascript", "play.css": "text/css"}
PEOPLE_IDS = {p.user_id for p in PEOPLE}
MAX_BODY = 200_000


class Playground:
    """The current world, and starting over (a fresh database and a fresh Slack)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self.world = self._new_world()

    def _new_world(self) -> World:
        path = self.directory / "voice_coach_try.db"
        path.unlink(missing_ok=True)
        return World(path)

    def reset(self) -> None:
        with self._lock:
            self.world.stop()
            self.world = self._new_world()

    def stop(self) -> None:
        self.world.stop()


def _json(start_response, body: dict, status: str = "200 OK") -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


def _send(start_response, data: bytes, content_type: str) -> Iterable[bytes]:
    start_response(
        "200 OK",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]


def make_wsgi(playground: Playground) -> Callable:
    def wsgi(environ, start_response) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        world = playground.world
        if method == "GET" and path == "/":
            return _send(start_response, page.page().encode(), "text/html; charset=utf-8")
        if method == "GET" and path.startswith("/play/static/"):
            name = path.rsplit("/", 1)[-1]
            if name in STATIC:
                data = resources.files("bot.playground").joinpath("static", name).read_bytes()
                return _send(start_response, data, STATIC[name] + "; charset=utf-8")
        if method == "GET" and path == "/play/state":
            user = _query(environ).get("user", "")
            if user not in PEOPLE_IDS:
                return _json(start_response, {"error": "unknown person"}, "400 Bad Request")
            return _json(start_response, page.state(world, user))
        if method == "GET" and path.startswith("/play/files/"):
            file_id = path.rsplit("/", 1)[-1]
            found = next((f for f in world.fake.uploaded_files() if f["id"] == file_id), None)
            if found is not None:
                kind = "image/png" if found["filename"].endswith(".png") else "text/plain"
                return _send(start_response, found["bytes"], kind)
        if method == "POST" and path.startswith("/play/"):
            try:
                body = _body(environ)
            except ValueError:
                return _json(start_response, {"error": "bad request"}, "400 Bad Request")
            user = body.get("user")
            if path == "/play/reset":
                playground.reset()
                return _json(start_response, {"notice": None, "errors": {}})
            if path == "/play/clock":
                return _json(start_response, world.move_clock(str(body.get("how"))).json())
            if user not in PEOPLE_IDS:
                return _json(start_response, {"error": "unknown person"}, "400 Bad Request")
            outcome = _act(world, path, user, body)
            if outcome is not None:
                return _json(start_response, outcome.json())
        return _json(start_response, {"error": "not_found"}, "404 Not Found")

    return wsgi


def _act(world: World, path: str, user: str, body: dict):
    if path == "/play/command":
        return world.command(user, str(body.get("channel", "")), str(body.get("text", "")))
    if path == "/play/act":
        ref = body.get("ref") or []
        return world.act(
            user,
            [str(r) for r in ref],
            str(body.get("block_id", "")),
            str(body.get("action_id", "")),
            body.get("value"),
            body.get("state") or {},
        )
    if path == "/play/submit":
        return world.submit(user, str(body.get("view_id", "")), body.get("state") or {})
    if path == "/play/close":
        return world.close(user, str(body.get("view_id", "")))
    if path == "/play/tab":
        return world.open_tab(user, str(body.get("tab", "")))
    return None


def _query(environ) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(environ.get("QUERY_STRING", "")))


def _body(environ) -> dict:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not 0 <= length <= MAX_BODY:
        raise ValueError("too large")
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    if not isinstance(body, dict):
        raise ValueError("not an object")
    return body


def serve(playground: Playground, port: int, host: str = "127.0.0.1") -> WSGIServer:
    """Serve the page on ``host:port`` in a background thread; returns the server."""
    server = make_server(
        host, port, make_wsgi(playground), server_class=ThreadingServer, handler_class=QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="playground", daemon=True).start()
    return server

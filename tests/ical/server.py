"""Servers on 127.0.0.1 for the calendar client's tests, each recording what reached it.

`FeedServer` is HTTP (or HTTPS, given a TLS context) with routes a test sets; `RawServer`
hands each accepted socket to a function, for servers that misbehave below HTTP.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"

Route = Callable[[BaseHTTPRequestHandler], None]


class FeedServer:
    def __init__(self, tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) as received
        self.connections = 0
        self.sent: dict[str, int] = {}  # bytes a `big` route managed to write
        self.finished: dict[str, bool] = {}  # whether it wrote them all
        self.scheme = "https" if tls else "http"
        self._httpd = _HTTPServer(self)
        if tls:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,))
        self._thread.daemon = True
        self._thread.start()

    def url(self, path: str, scheme: str | None = None) -> str:
        return f"{scheme or self.scheme}://{LOOPBACK}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, feed: FeedServer):
        self.feed = feed
        super().__init__((LOOPBACK, 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up its own name (getfqdn); nothing here needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = LOOPBACK, self.server_address[1]

    def get_request(self):
        conn, address = super().get_request()
        self.feed.connections += 1
        return conn, address


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        feed = self.server.feed
        feed.requests.append((self.path, dict(self.headers.items())))
        route = feed.routes.get(self.path)
        if route is None:
            self.send_error(404)
        else:
            route(self)

    def log_message(self, *args) -> None:  # the default prints each path to stderr
        pass


def calendar(body: bytes, *, etag: str | None = None, last_modified: str | None = None) -> Route:
    """Serves `body`, answering 304 to a request that names its ETag or Last-Modified."""

    def serve(handler: BaseHTTPRequestHandler) -> None:
        unchanged = (etag and handler.headers.get("If-None-Match") == etag) or (
            last_modified and handler.headers.get("If-Modified-Since") == last_modified
        )
        handler.send_response(304 if unchanged else 200)
        if etag:
            handler.send_header("ETag", etag)
        if last_modified:
            handler.send_header("Last-Modified", last_modified)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Content-Length", "0" if unchanged else str(len(body)))
        handler.end_headers()
        if not unchanged:
            handler.wfile.write(body)

    return serve


def redirect(location: str) -> Route:
    def serve(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return serve


def status(code: int) -> Route:
    def serve(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return serve


def big(size: int, *, content_length: bool) -> Route:
    """Writes `size` bytes in 64 KB pieces, recording how many got out before the client left."""

    def serve(handler: BaseHTTPRequestHandler) -> None:
        feed = handler.server.feed
        # A small send buffer, so what was written is close to what the client took.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        handler.send_response(200)
        if content_length:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        piece = b"X" * 65536
        feed.sent[handler.path] = 0
        feed.finished[handler.path] = False
        try:
            while feed.sent[handler.path] < size:
                handler.wfile.write(piece)
                feed.sent[handler.path] += len(piece)
            handler.wfile.flush()
            feed.finished[handler.path] = True
        except OSError:
            handler.close_connection = True

    return serve


class RawServer:
    """Accepts on 127.0.0.1 and runs `behaviour(conn)` per connection; records the first bytes."""

    def __init__(self, behaviour: Callable[[socket.socket], None]):
        self.connections = 0
        self.first_bytes = b""
        self._behaviour = behaviour
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://{LOOPBACK}:{self.port}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                first = conn.recv(4096)
                self.first_bytes = self.first_bytes or first
                self._behaviour(conn)
            except OSError:
                pass  # the client gave up, which is what these servers are for

    def close(self) -> None:
        self._listener.close()


def never_answer(conn: socket.socket) -> None:
    """Reads the request and holds the connection open until the client hangs up."""
    while conn.recv(4096):
        pass


def drip(head: bytes, every: float = 0.1) -> Callable[[socket.socket], None]:
    """Sends `head` at once, then one more byte every `every` seconds, forever."""

    def behaviour(conn: socket.socket) -> None:
        conn.sendall(head)
        while True:
            time.sleep(every)
            conn.sendall(b"a")

    return behaviour

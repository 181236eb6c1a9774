"""Slack's Web API over kept-alive connections.

slack_sdk's WebClient sends each call through urllib's ``urlopen``, which opens a new
connection for it and closes it after: over HTTPS a TCP and a TLS handshake for every
message, about 1.5 ms of CPU and two round trips to Slack each (``bench/slack_calls.py``).
``KeptAliveWebClient`` sends the very same request over a pooled ``http.client``
connection instead; everything else (arguments, retry handlers, errors, responses) is
slack_sdk's own, so a call behaves as before, only sooner and cheaper.
``KeptAliveWebhookClient`` does the same for replies to a response URL.

Written by hand because slack_sdk's client has no transport to plug in (its async
client pools through aiohttp, but the app is synchronous), and a pooling library
(urllib3, httpx) costs more CPU a call than the handshake it saves on plain HTTP;
``http.client`` is what urllib itself runs on.
"""

from __future__ import annotations

import http.client
import io
import os
import select
import ssl
import threading
from typing import Any, NamedTuple
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.slack.slots import LendingWhileSleeping, lent_while_waiting

# Idle connections kept per host: the dispatcher's senders and the listener threads
# each hold at most one at a time.
MAX_IDLE = 32


class Answer(NamedTuple):
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes


class ConnectionPool:
    """Idle ``http.client`` connections by (scheme, host, port), shared by threads.

    A connection is taken for one request and put back once its answer is read in
    full, unless either side said it would close. One the server closed while it was
    idle (Slack's load balancers drop idle connections) is noticed before reuse and
    replaced. After a fork the child starts empty: a socket shared with the parent
    would mix both processes' answers."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, *, max_idle: int = MAX_IDLE):
        self._ssl = ssl_context
        self._max_idle = max_idle
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._pid = os.getpid()
        self.opened = 0  # connections made, for tests and benchmarks

    def __deepcopy__(self, memo) -> ConnectionPool:
        # Bolt deep-copies a request for its lazy listener, the client and respond() with
        # it: the copy sends over the same kept connections.
        return self

    def send(self, req: Request, *, timeout: float) -> Answer:
        """``req`` over a kept connection, its answer read in full. Errors are urllib's:
        a failure to connect or to send is a URLError, one while waiting for the answer
        is raised as it is (what slack_sdk's ConnectionErrorRetryHandler expects)."""
        parts = urlsplit(req.full_url)
        key = (parts.scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS[parts.scheme])
        conn = self._take(key) or self._connect(key, timeout)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            try:
                headers = dict(req.header_items())
                conn.request(req.get_method(), path, body=req.data, headers=headers)
            except OSError as e:
                raise URLError(e) from e
            # In a listener process, a slow answer lends this request's CPU slot.
            with lent_while_waiting(lambda seconds: _readable(conn, seconds)):
                response = conn.getresponse()
                body = response.read()
        except BaseException:
            conn.close()
            raise
        if response.will_close:
            conn.close()
        else:
            self._put_back(key, conn)
        return Answer(response.status, response.reason, response.msg, body)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    def _take(self, key) -> http.client.HTTPConnection | None:
        with self._lock:
            if self._pid != os.getpid():
                self._idle, self._pid = {}, os.getpid()  # the parent's, not ours to use
            idle = self._idle.get(key)
            while idle:
                conn = idle.pop()
                if _still_open(conn):
                    return conn
                conn.close()
        return None

    def _put_back(self, key, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._max_idle and self._pid == os.getpid():
                idle.append(conn)
                return
        conn.close()

    def _connect(self, key, timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = key
        with self._lock:
            self.opened += 1
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()  # once: loading CAs is dear
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=self._ssl)
        return http.client.HTTPConnection(host, port, timeout=timeout)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _still_open(conn: http.client.HTTPConnection) -> bool:
    """An idle connection has nothing to read: if it has, the server closed it (or
    broke the protocol), and it can't carry a request."""
    return not _readable(conn, 0)  # (no socket counts as readable: not open)


def _readable(conn: http.client.HTTPConnection, seconds: float) -> bool:
    """Whether the connection has something to read (or is closed) within ``seconds``:
    the answer, or on a TLS connection just opened to a server under ``seconds`` away,
    maybe its session tickets (so the first call on it lends nothing)."""
    if conn.sock is None:
        return True  # nothing to wait for: reading it fails at once
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(seconds * 1000))


class KeptAliveWebClient(WebClient):
    """slack_sdk's WebClient, its calls sent over ``pool``'s kept connections."""

    def __init__(self, *args: Any, pool: ConnectionPool | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.pool = pool or ConnectionPool(self.ssl)

    def like(self, client: WebClient) -> KeptAliveWebClient:
        """``client`` (Bolt's per-request copy: its token and workspace), over this pool."""
        return KeptAliveWebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=client.headers,
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=client.retry_handlers,
            pool=self.pool,
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        answer = _sent(self.pool, url, req, self.timeout)
        body: bytes | str = answer.body
        if answer.headers.get_content_type() != "application/gzip":  # admin.analytics.getFile
            body = _text(answer)
        return {"status": answer.status, "headers": answer.headers, "body": body}


class ConnectionErrorRetries(LendingWhileSleeping, ConnectionErrorRetryHandler):
    """slack_sdk's, its sleep before trying again lending a listener's CPU slot."""


class ServerErrorRetries(LendingWhileSleeping, ServerErrorRetryHandler):
    """slack_sdk's, its sleep before trying again lending a listener's CPU slot."""


class KeptAliveWebhookClient(WebhookClient):
    """slack_sdk's WebhookClient (a response URL's replies), over ``pool``."""

    def __init__(self, url: str, *, pool: ConnectionPool, **kwargs: Any):
        kwargs.setdefault("retry_handlers", [ConnectionErrorRetries()])  # slack_sdk's default
        super().__init__(url, **kwargs)
        self.pool = pool

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_http_request_internal(url, req)
        answer = _sent(self.pool, url, req, self.timeout)
        return WebhookResponse(
            url=url, status_code=answer.status, body=_text(answer), headers=answer.headers
        )


def _sent(pool: ConnectionPool, url: str, req: Request, timeout: float) -> Answer:
    answer = pool.send(req, timeout=timeout)
    if not 200 <= answer.status < 300:
        # What urlopen raises, so slack_sdk reads 429s and 5xx as it always has.
        raise HTTPError(url, answer.status, answer.reason, answer.headers, io.BytesIO(answer.body))
    return answer


def _text(answer: Answer) -> str:
    return answer.body.decode(answer.headers.get_content_charset() or "utf-8")


def retry_after_of(headers: dict) -> float:
    """Slack's Retry-After, in seconds (at least one)."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(1.0, float(value if isinstance(value, str) else value[0]))
            except (TypeError, ValueError, IndexError):
                break
    return 1.0

"""The one guarded client that fetches a person's calendar link (PRODUCT §4 and §5).

Her link is a password: Google's "secret address" and Outlook's published ICS link carry the
key in the path. So the URL never leaves this module in an exception, a log line or a repr;
callers get a `Fetched`, or a `FeedError` whose `why` is one of `WHY_CODES`, and logs get
`redact(url)` (scheme and host).

A user-supplied URL is also an SSRF door. ssrfguard's client resolves each name once, checks
every address it got (private, loopback, link-local, CGNAT, multicast, reserved, cloud
metadata, and those same addresses wrapped in IPv6) and connects to the address it checked.
Its transport re-checks the whole URL on every request, and this module follows redirects
itself, one request per hop, so every hop goes through both checks.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextvars import ContextVar
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Literal
from urllib.parse import urlsplit

import httpcore
import httpx
from ssrfguard import BlockedAddressError, BlockedURLError, Policy, TooManyRedirectsError
from ssrfguard.httpx import Client, SafeBackend, SafeTransport

log = logging.getLogger(__name__)

WHY_CODES = frozenset(
    {
        "not_a_url",
        "not_https",
        "forbidden_address",
        "too_many_redirects",
        "too_large",
        "timeout",
        "unreachable",
        "unauthorized",
        "forbidden",
        "not_found",
        "server_error",
        "http_error",
    }
)

# Office 365 ICS links have answered 500 to clients that don't look like a browser (per
# tenant, since 2025), so those hosts get a browser's User-Agent; everyone else an honest one.
OUTLOOK_HOSTS = frozenset({"outlook.office365.com", "outlook.live.com", "outlook.office.com"})
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
USER_AGENT = "VoiceCoach/1.0 (+calendar sync)"

# Google and Outlook show subscription links as webcal://; they are served over https.
_WEBCAL = re.compile(r"^webcals?://", re.IGNORECASE)
# With https only, a service on another port must speak TLS before it hears a byte from us;
# the address checks are what keep the fetcher on the public internet, whatever the port.
_ANY_PORT = frozenset(range(1, 65536))


class FeedError(Exception):
    """Fetching her calendar failed; `why` (one of WHY_CODES) is all it says."""

    def __init__(self, why: str):
        if why not in WHY_CODES:
            raise ValueError(f"unknown FeedError code {why!r}")
        super().__init__(why)
        self.why = why

    def __repr__(self) -> str:
        return f"FeedError({self.why!r})"


@dataclass(frozen=True)
class Fetched:
    status: Literal["ok", "not_modified"]
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None

    def __repr__(self) -> str:
        # Her calendar is as private as its link: say how big it is, not what is in it.
        body = None if self.body is None else f"<{len(self.body)} bytes>"
        return (
            f"Fetched(status={self.status!r}, body={body}, etag={self.etag!r}, "
            f"last_modified={self.last_modified!r})"
        )


def feed_policy(*, allow_loopback: bool = False, max_redirects: int = 3) -> Policy:
    """What a calendar fetch may reach.

    ssrfguard's default address table already refuses everything PRODUCT §5 names, decoding
    IPv4-mapped, NAT64, 6to4 and Teredo wrappers. An allowed network beats that table, so the
    test widening is exactly 127.0.0.0/8: not ::1, not 10.x, not 169.254.x.
    """
    return Policy(
        allowed_schemes=frozenset({"https", "http"} if allow_loopback else {"https"}),
        allowed_networks=("127.0.0.0/8",) if allow_loopback else (),
        allowed_ports=_ANY_PORT,
        max_redirects=max_redirects,
        # Two, so a dead first address (IPv6 with no route) still fails over to the next,
        # while connecting stays inside the fetch's deadline (each try gets half what is left).
        max_connection_attempts=2,
    )


def normalize_url(url: str) -> str:
    """The link as it will be fetched: trimmed, and webcal:// read as https://."""
    return _WEBCAL.sub("https://", url.strip(), count=1)


def redact(url: object) -> str:
    """scheme://host/… of a link, the most of it that may reach a log line."""
    try:
        parts = urlsplit(str(url))
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        scheme, host = "", None
    if not scheme or not host:
        return "<not a URL>"
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}/…"


def user_agent_for(host: str) -> str:
    return BROWSER_USER_AGENT if host.lower().rstrip(".") in OUTLOOK_HOSTS else USER_AGENT


class FeedClient:
    """Fetches calendar links through ssrfguard, within one total deadline and a size cap.

    Safe to share between threads. `transport` is for tests that need ssrfguard's stub
    resolver; it must carry `feed_policy(...)` of the same arguments.
    """

    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        timeout: float = 10.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 3,
        transport: SafeTransport | None = None,
    ):
        if timeout <= 0 or max_bytes <= 0 or max_redirects < 0:
            raise ValueError("timeout and max_bytes must be positive, max_redirects not negative")
        self.allow_loopback = allow_loopback
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.policy = feed_policy(allow_loopback=allow_loopback, max_redirects=max_redirects)
        if transport is None:
            transport = SafeTransport(policy=self.policy)
        elif transport.policy != self.policy:
            raise ValueError("the transport must carry this client's feed_policy")
        _bound_by_deadline(transport)
        self._client = Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            # Redirects are followed in fetch(), one request per hop: httpx would read a whole
            # redirect body into memory, with no cap, before following it.
            follow_redirects=False,
            # No proxy from the environment (a proxy resolves names itself, so ssrfguard
            # refuses to start with one) and no ~/.netrc credentials sent to her server.
            trust_env=False,
            # One client serves everyone: a cookie one person's server set must never ride
            # along on another person's fetch, so none is kept.
            cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
            # The plain body, so max_bytes bounds what is read and what is decoded alike.
            headers={"Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "identity"},
        )

    def __repr__(self) -> str:
        return (
            f"FeedClient(allow_loopback={self.allow_loopback}, timeout={self.timeout}, "
            f"max_bytes={self.max_bytes}, max_redirects={self.max_redirects})"
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> FeedClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET her calendar; `etag` / `last_modified` from the last fetch make it conditional.

        Raises FeedError. ssrfguard's and httpx's exceptions can quote the URL, so the
        FeedError is raised outside the handler that caught one: it has no __context__ for a
        traceback to print.
        """
        try:
            fetched = self._fetch(url, etag, last_modified)
        except FeedError as failure:
            why = failure.why
        except Exception as failure:
            why = _why(failure, self.policy)
            if why is None:
                raise
        else:
            log.debug("Calendar fetched from %s: %s", redact(url), fetched.status)
            return fetched
        log.info("Calendar fetch from %s failed: %s", redact(url), why)
        raise FeedError(why)

    def _fetch(self, url: object, etag: str | None, last_modified: str | None) -> Fetched:
        if not isinstance(url, str):
            raise FeedError("not_a_url")
        url = normalize_url(url)
        # Decided before any I/O (scheme, host shape, literal addresses); the transport asks
        # again on every hop, and the backend checks what each name resolves to.
        self.policy.check_url(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = self._client.build_request("GET", url, headers=headers)
        deadline = _deadline.set(time.monotonic() + self.timeout)
        try:
            for _hop in range(self.max_redirects + 1):
                request.headers["User-Agent"] = user_agent_for(request.url.host)
                response = self._client.send(request, stream=True)
                try:
                    if not response.has_redirect_location:
                        return self._read(response, etag, last_modified)
                    # Built by ssrfguard's client: its own hop cap, and credentials dropped
                    # when the redirect leaves the origin. The body is never read.
                    request = response.next_request
                finally:
                    response.close()
            raise FeedError("too_many_redirects")
        finally:
            _deadline.reset(deadline)

    def _read(self, response: httpx.Response, etag: str | None, last: str | None) -> Fetched:
        status = response.status_code
        if status == 304:
            return Fetched(
                "not_modified",
                etag=response.headers.get("ETag", etag),
                last_modified=response.headers.get("Last-Modified", last),
            )
        if not 200 <= status < 300:
            raise FeedError(_status_why(status))
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise FeedError("too_large")
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise FeedError("too_large")
        return Fetched(
            "ok",
            bytes(body),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def _status_why(status: int) -> str:
    named = {401: "unauthorized", 403: "forbidden", 404: "not_found", 410: "not_found"}
    if status in named:
        return named[status]
    return "server_error" if status >= 500 else "http_error"


def _why(failure: Exception, policy: Policy) -> str | None:
    """The FeedError code for what ssrfguard or httpx raised; None for anything else (a bug)."""
    if isinstance(failure, BlockedURLError):
        if isinstance(failure.__cause__, BlockedAddressError):
            return "forbidden_address"  # a literal address, refused before any connection
        try:
            scheme = urlsplit(failure.url).scheme.lower()
        except ValueError:
            scheme = ""
        return "not_https" if scheme and scheme not in policy.allowed_schemes else "not_a_url"
    if isinstance(failure, BlockedAddressError):
        return "forbidden_address"  # what a name resolved to, refused before connecting
    if isinstance(failure, TooManyRedirectsError):  # only with max_redirects=0
        return "too_many_redirects"
    if isinstance(failure, httpx.TimeoutException):
        return "timeout"
    if isinstance(failure, httpx.InvalidURL):
        return "not_a_url"
    if isinstance(failure, httpx.RequestError):
        return "unreachable"  # DNS, refused, reset, TLS, broken HTTP
    return None


# ---- One deadline for the whole fetch ----------------------------------------------------
#
# httpx's timeouts apply to each socket operation, so a server sending a byte every 0.1 s
# would never trip them (headers included: httpcore reads them recv by recv). The streams
# below give every connect, TLS handshake, read and write only what is left of the current
# fetch's time. The deadline lives in a ContextVar, so threads sharing the client each have
# their own, and a pooled connection obeys whichever fetch is using it.

_deadline: ContextVar[float | None] = ContextVar("calendar_fetch_deadline", default=None)


def _time_left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the calendar fetch ran out of time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> _DeadlineStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: SafeBackend):
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        left = _time_left(timeout, httpcore.ConnectTimeout)
        if left is not None:
            left /= self._inner.policy.max_connection_attempts  # ssrfguard's timeout is per try
        stream = self._inner.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return self._inner.connect_unix_socket(path, timeout, socket_options)  # refuses

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _bound_by_deadline(transport: SafeTransport) -> None:
    """Wraps ssrfguard's pinning backend in the transport's pool with the deadline.

    Neither httpx nor ssrfguard offers a public seam for this: ssrfguard builds the pool in
    SafeTransport.__init__ around its SafeBackend, so we reach in once, and fail loudly if
    the attributes ever move (a silent miss would lose the total time limit).
    """
    pool = transport._pool
    backend = pool._network_backend
    if isinstance(backend, _DeadlineBackend):
        return
    if not isinstance(backend, SafeBackend):
        raise TypeError(f"expected ssrfguard's SafeBackend in the pool, found {backend!r}")
    backend.resolver = _LookupWithinDeadline(backend.resolver or socket.getaddrinfo)
    pool._network_backend = _DeadlineBackend(backend)


class _LookupWithinDeadline:
    """A name lookup that gives up when the fetch's time is up.

    ``getaddrinfo`` takes no timeout and can't be interrupted (a hostile name server can
    hold it for as long as it likes), so it runs in a thread of a small pool of its own
    while the fetch waits what is left of its deadline. A held lookup keeps its thread
    until the system resolver gives up; with every thread held, new lookups wait their
    fetch's deadline and fail as timeouts: never more threads, never a fetch past its
    time. A literal address needs no lookup and is answered at once.
    """

    THREADS = 8

    def __init__(self, lookup):
        self._lookup = lookup
        self._pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="calendar-dns")

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        if flags & socket.AI_NUMERICHOST:
            return self._lookup(host, port, family, type, proto, flags)
        left = _time_left(None, httpcore.ConnectTimeout)
        answer = self._pool.submit(self._lookup, host, port, family, type, proto, flags)
        try:
            return answer.result(timeout=left)
        except FutureTimeout:
            answer.cancel()  # still queued: never run
            raise httpcore.ConnectTimeout("the calendar's name did not resolve in time") from None


# ---- What httpx and httpcore would log ----------------------------------------------------


class _RedactRequestURLs(logging.Filter):
    """httpx logs every request's whole URL at INFO; for a calendar link that is the password."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(redact(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


_httpx_log = logging.getLogger("httpx")
if not any(isinstance(f, _RedactRequestURLs) for f in _httpx_log.filters):
    _httpx_log.addFilter(_RedactRequestURLs())
# httpcore narrates each request at DEBUG, response headers included, and a redirect's
# Location can carry the link: like slack_sdk's loggers (bot/logs.py), never below INFO.
_httpcore_log = logging.getLogger("httpcore")
_httpcore_log.setLevel(max(logging.INFO, _httpcore_log.getEffectiveLevel()))

"""A local stand-in for Slack's Web API: the tests' offline Slack and the playground's
(``python -m bot try``).

`FakeSlack` serves `/api/<method>` on 127.0.0.1 and answers like Slack: HTTP 200 with
`{"ok": true, ...}` or `{"ok": false, "error": ...}`, HTTP 429 with `Retry-After` when rate
limited. It also serves the upload URLs of files.getUploadURLExternal and response URLs.
Every API call is recorded in `calls`. All state sits behind one lock; the HTTP server
answers each connection in its own thread, and keeps it open between requests (HTTP/1.1)
as Slack does, until the client or `close_connections` (Slack's idle timeout) closes it.

It is as strict as Slack, never kinder: every message and view is held to Block Kit's rules
(``blockkit`` beside it) and refused with Slack's error and JSON pointers; a response URL
takes at most 5 posts within 30 minutes; a trigger id is good once, for 3 seconds; a DM with
a deactivated person is archived. Whatever it refused is kept in `refusals`, and the test
fixtures fail a test that left any behind unless it said it expected them.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import random
import secrets
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from bot.playground.fakeslack.blockkit import message_problems, view_problems

JSON_FIELDS = frozenset({"attachments", "blocks", "files", "metadata", "view"})
# Errors that mean the payload itself is wrong: a bug in the app, whatever the test does.
BLOCK_KIT_ERRORS = frozenset(
    {"invalid_blocks", "invalid_blocks_format", "invalid_arguments", "msg_too_long", "no_text"}
)
STATUS_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
USER_FLAGS = "is_admin is_owner is_primary_owner is_restricted is_ultra_restricted is_app_user"
CHANNEL_FLAGS = "is_group is_im is_mpim is_general is_shared is_org_shared"
VIEW_DEFAULTS = {
    "private_metadata": "",
    "callback_id": "",
    "title": None,
    "clear_on_close": False,
    "notify_on_close": False,
    "close": None,
    "submit": None,
    "external_id": "",
}
# chat.postMessage: "text" longer than this is refused (msg_too_long).
MAX_TEXT_CHARS = 40_000
# A response_url "can be used up to 5 times within 30 minutes" (Slack's interactivity guide).
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60


class SlackError(Exception):
    """An API error, answered as `{"ok": false, "error": ...}`."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> dict:
        """The JSON body Slack sends for this error."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            # Slack sends the problems twice: bare in `errors` (chat.*), tagged in the metadata.
            if self.error == "invalid_blocks":
                body["errors"] = [m.removeprefix("[ERROR] ") for m in self.messages]
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class Refusal:
    """A payload the fake refused because Slack would: where it was sent, and why."""

    where: str  # an API method, "response_url", or the ack ("command reply", ...)
    error: str
    messages: list[str]


@dataclass
class Call:
    """One recorded Web API call."""

    method: str
    args: dict
    status: int
    response: dict
    headers: dict
    at: float = 0.0  # time.monotonic() when it was answered
    retry_after: int | None = None  # the Retry-After of a 429


@dataclass
class _Fault:
    error: str
    status: int
    retry_after: int
    remaining: int


@dataclass
class _Hold:
    """A method's calls held unanswered (``FakeSlack.holding``)."""

    released: bool = False
    passes: int = 0  # calls still to let through (``answer_one``)


@dataclass
class _Reply:
    status: int
    body: dict | str
    headers: dict = field(default_factory=dict)
    drop: bool = False


def _parse_args(query: str, body: bytes, content_type: str) -> dict:
    """Merge query-string and body arguments; decode JSON-valued form fields."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if content_type.startswith("application/json"):
        try:
            args.update(json.loads(body or b"{}"))
        except ValueError:
            raise SlackError("invalid_json") from None
    else:
        args.update(parse_qsl(body.decode(), keep_blank_values=True))
    for name in JSON_FIELDS & args.keys():
        if isinstance(args[name], str):
            # Bad JSON stays a string: the method then answers as Slack does.
            with contextlib.suppress(ValueError):
                args[name] = json.loads(args[name])
    return args


def _check_message_content(args: dict) -> None:
    if not any(args.get(name) for name in ("text", "blocks", "attachments")):
        raise SlackError("no_text")
    if len(str(args.get("text") or "")) > MAX_TEXT_CHARS:
        raise SlackError("msg_too_long")
    if "blocks" in args and not isinstance(args["blocks"], list):
        raise SlackError("invalid_blocks_format")
    problems = message_problems(args)
    if problems:
        raise SlackError("invalid_blocks", problems)


def _check_view(view: Any, types: set[str]) -> dict:
    if not isinstance(view, dict):
        raise SlackError(
            "invalid_arguments", ["[ERROR] must provide an object [json-pointer:/view]"]
        )
    problems = view_problems(view)
    if problems:
        raise SlackError("invalid_arguments", problems)
    if view["type"] not in types:
        raise SlackError(
            "invalid_arguments", ["[ERROR] invalid view type [json-pointer:/view/type]"]
        )
    return view


def view_object(
    spec: dict, view_id: str, team_id: str, app_id: str, bot_id: str, previous: dict | None = None
) -> dict:
    """The view Slack stores for `spec` (what an app sent); `previous` is the view it replaces."""
    return {
        **{name: spec.get(name, default) for name, default in VIEW_DEFAULTS.items()},
        "id": view_id,
        "team_id": team_id,
        "type": spec["type"],
        "blocks": spec["blocks"],
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{secrets.token_urlsafe(6)}",
        "previous_view_id": previous["previous_view_id"] if previous else None,
        "root_view_id": previous["root_view_id"] if previous else view_id,
        "app_id": app_id,
        "app_installed_team_id": team_id,
        "bot_id": bot_id,
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # Kept-alive, like Slack; each answer leaves in one write (headers and body buffered
    # together, Nagle off), or a client's next request would wait out a delayed ACK.
    protocol_version = "HTTP/1.1"
    wbufsize = -1
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.fake._connection_opened(self.connection)

    def finish(self) -> None:
        self.server.fake._connection_closed(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _route(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        kind, _, rest = url.path.strip("/").partition("/")
        fake = self.server.fake
        if kind == "api":
            reply = fake._handle_api(rest, url.query, body, headers)
        elif kind == "upload":
            reply = fake._handle_upload(rest, body)
        elif kind == "response":
            reply = fake._handle_response_url(f"{fake.url}{url.path}", body)
        else:
            reply = _Reply(404, "not_found")
        self._send(reply)

    do_GET = do_POST = _route

    def _send(self, reply: _Reply) -> None:
        if reply.drop:
            self.close_connection = True
            return
        if isinstance(reply.body, dict):
            data, content_type = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
        else:
            data, content_type = reply.body.encode(), "text/html"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients must not wait for SYN retries
    fake: FakeSlack

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
            return  # a client that went away (a killed process), not the fake's fault
        super().handle_error(request, client_address)


class FakeSlack:
    """A fake Slack Web API on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        team_id: str = "T0TEAM",
        bot_user_id: str = "UBOT",
        *,
        bot_id: str = "B0BOT",
        app_id: str = "A0APP",
        team_domain: str = "voicecoach-test",
        socket_mode: Any = None,
    ) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.team_id, self.team_domain = team_id, team_domain
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.latency = 0.0
        # Real answers take varying time, so concurrent calls may land out of order.
        self.jitter = 0.0
        self.trigger_ttl = 3.0
        # Slack's chat.postMessage limits: about one message per second per channel
        # (enforced when set), and a workspace-wide ceiling of (messages, seconds).
        self.enforce_channel_rate = False
        self.workspace_limit: tuple[int, float] | None = None
        self._last_post: dict[str, float] = {}
        self._recent_posts: list[float] = []
        self.rate_limited_answers = 0
        self.calls: list[Call] = []
        self.refusals: list[Refusal] = []
        self._socket_mode = socket_mode
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._sequence = 0
        self._last_ts_micros = 0
        self._users: dict[str, dict] = {}
        self._channels: dict[str, dict] = {}
        self._opened_dms: set[str] = set()
        self._messages: dict[str, list[dict]] = {}
        self._ephemerals: list[dict] = []
        self._views: dict[str, dict] = {}
        self._home_views: dict[str, str] = {}
        self._triggers: dict[str, float | None] = {}
        self._pending_files: dict[str, dict] = {}
        self._uploaded: list[dict] = []
        self._response_urls: dict[str, list] = {}  # url -> [created (monotonic), uses]
        self._response_posts: list[tuple[str, dict]] = []
        self._faults: dict[str, _Fault] = {}
        self._held: dict[str, _Hold] = {}
        self.waiting: dict[str, int] = {}  # method -> calls held unanswered now
        self._workspace_tokens: dict[str, str] = {}  # another workspace's bot token -> its team
        self._scheme = "http"
        self._open_connections: set[socket.socket] = set()
        self.connections_opened = 0
        self.add_user(bot_user_id, name="voice-coach", is_bot=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, *, tls: ssl.SSLContext | None = None) -> FakeSlack:
        """Listen on an ephemeral port of 127.0.0.1 and serve in a background thread;
        over HTTPS with ``tls`` (a server context), as Slack serves."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self.close_connections()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"{self._scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """What `WebClient(base_url=...)` takes."""
        return f"{self.url}/api/"

    def close_connections(self) -> None:
        """Close every open client connection from this side, as Slack's load balancers
        close idle ones: a client must notice before it sends on one again."""
        with self._lock:
            open_now = list(self._open_connections)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def _connection_opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._open_connections.add(connection)
            self.connections_opened += 1

    def _connection_closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._open_connections.discard(connection)

    def attach_socket_mode(self, socket_mode: Any) -> None:
        """Make apps.connections.open answer the URL of this FakeSocketMode."""
        self._socket_mode = socket_mode

    # -- workspace set-up ----------------------------------------------------------------------

    def add_workspace(self, team_id: str, bot_token: str) -> None:
        """Another workspace the app is installed in, with its own bot token. A call made
        with one workspace's token that names a user (or her DM) of another workspace is
        answered ``invalid_auth``: a token mix-up shows at once. (Users belong to
        ``team_id`` of the constructor unless ``add_user`` names another.)"""
        with self._lock:
            self._workspace_tokens[bot_token] = team_id

    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "America/Los_Angeles",
        tz_label: str | None = None,
        real_name: str | None = None,
        name: str | None = None,
        email: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        team_id: str | None = None,
    ) -> dict:
        """Register a user that users.info and conversations.open know; return it."""
        team_id = team_id or self.team_id
        now = datetime.now(ZoneInfo(tz))
        name = name or user_id.lower()
        real_name = real_name or name
        profile = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": name,
            "display_name_normalized": name,
            "email": email or f"{name}@example.com",
            "team": team_id,
        }
        user = {
            **dict.fromkeys(USER_FLAGS.split(), False),
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "is_bot": is_bot,
            "tz": tz,
            "tz_label": tz_label or now.tzname(),
            "tz_offset": int(now.utcoffset().total_seconds()),
            "profile": profile,
            "updated": int(time.time()),
        }
        with self._lock:
            self._users[user_id] = user
        return copy.deepcopy(user)

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        members: Iterable[str] = (),
        is_private: bool = False,
        is_archived: bool = False,
        bot_is_member: bool = True,
    ) -> None:
        """Register a channel; the bot is added to `members` unless `bot_is_member=False`."""
        members = [m for m in members if m != self.bot_user_id]
        if bot_is_member:
            members.append(self.bot_user_id)
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name or channel_id.lower(),
                "members": members,
                "is_private": is_private,
                "is_archived": is_archived,
                "created": int(time.time()),
            }

    def users(self) -> list[dict]:
        """Every user registered, the bot too."""
        with self._lock:
            return copy.deepcopy(list(self._users.values()))

    def channels(self) -> list[dict]:
        """Every channel registered (id, name, members, is_private, is_archived)."""
        with self._lock:
            return copy.deepcopy(list(self._channels.values()))

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM channel with this user."""
        return f"D{user_id}"

    def issue_trigger_id(self) -> str:
        """A trigger id that views.open/views.push accept once, within `trigger_ttl` seconds."""
        with self._lock:
            trigger_id = f"{self._next_number():013d}.1234567890.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = time.monotonic()
        return trigger_id

    def new_response_url(self) -> str:
        """A response URL that stores what is POSTed to it."""
        url = f"{self.url}/response/{secrets.token_hex(12)}"
        with self._lock:
            self._response_urls[url] = [time.monotonic(), 0]
        return url

    def expire_response_url(self, url: str) -> None:
        """Make `url` as old as Slack's 30 minutes, without waiting for them."""
        with self._lock:
            self._response_urls[url][0] -= RESPONSE_URL_TTL

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """Fail the next `times` calls to `method`.

        No error or `error="ratelimited"`: HTTP 429 with Retry-After. `status=500` (or 503):
        that status with Slack's error body. `error="connection_reset"`: close the connection
        without answering. Any other error: HTTP 200 `{"ok": false, "error": error}`.
        """
        if status is None:
            status = 429 if error in (None, "ratelimited") else 200
        error = error or STATUS_ERRORS.get(status, "internal_error")
        with self._lock:
            self._faults[method] = _Fault(error, status, retry_after, times)

    @contextlib.contextmanager
    def holding(self, method: str):
        """Calls to `method` go unanswered until the block ends, as when Slack is slow:
        the caller's thread waits on them (`wait_for_waiting` says when enough do;
        `answer_one` lets one through)."""
        hold = _Hold()
        with self._lock:
            self._held[method] = hold
        try:
            yield
        finally:
            with self._changed:
                del self._held[method]
                hold.released = True
                self._changed.notify_all()

    def answer_one(self, method: str) -> None:
        """While `method` is held: answer one of its waiting calls (the next to wait, if
        none waits yet), the others still held."""
        with self._changed:
            self._held[method].passes += 1
            self._changed.notify_all()

    def wait_for_waiting(self, method: str, count: int, timeout: float = 10.0) -> None:
        self._wait(lambda: self.waiting.get(method, 0) >= count, timeout, f"{count} held {method}")

    def _wait_if_held(self, method: str) -> None:
        with self._changed:
            hold = self._held.get(method)
            if hold is None:
                return
            self.waiting[method] = self.waiting.get(method, 0) + 1
            self._changed.notify_all()
            self._changed.wait_for(lambda: hold.released or hold.passes > 0, timeout=60)
            if not hold.released and hold.passes > 0:
                hold.passes -= 1
            self.waiting[method] -= 1
            self._changed.notify_all()

    # -- inspection ----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[dict]:
        """Arguments of every recorded call to `method`, oldest first."""
        with self._lock:
            return [copy.deepcopy(c.args) for c in self.calls if c.method == method]

    def count(self, method: str) -> int:
        """How many calls to `method` arrived (no copies: for polling under load)."""
        with self._lock:
            return sum(1 for c in self.calls if c.method == method)

    def response_url_post_count(self) -> int:
        with self._lock:
            return len(self._response_posts)

    def reset_calls(self) -> None:
        """Forget the recorded calls."""
        with self._lock:
            self.calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Block until `count` calls to `method` arrived; return all their arguments."""
        self._wait(lambda: len(self.calls_to(method)) >= count, timeout, f"{count} x {method}")
        return self.calls_to(method)

    def messages(self, channel: str) -> list[dict]:
        """Messages the bot posted in `channel` (and not deleted), oldest first."""
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, []))

    def message(self, channel: str, ts: str) -> dict | None:
        """The stored message at `ts` in `channel`, or None."""
        return next((m for m in self.messages(channel) if m["ts"] == ts), None)

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[dict]:
        """Ephemeral messages posted, filtered by channel and/or user."""
        with self._lock:
            return [
                copy.deepcopy(e)
                for e in self._ephemerals
                if channel in (None, e["channel"]) and user in (None, e["user"])
            ]

    def view(self, view_id: str) -> dict | None:
        """The current state of a view opened, pushed, updated or published."""
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def latest_view(self, callback_id: str, view_id: str | None = None) -> dict | None:
        """The view with `view_id`, else the newest modal with this callback_id, or None."""
        with self._lock:
            if view_id is not None:
                return copy.deepcopy(self._views.get(view_id))
            matching = [
                v
                for v in self._views.values()
                if v["type"] == "modal" and v["callback_id"] == callback_id
            ]
            return copy.deepcopy(matching[-1]) if matching else None

    def open_views(self) -> list[dict]:
        """Modals opened or pushed, in opening order."""
        with self._lock:
            return [copy.deepcopy(v) for v in self._views.values() if v["type"] == "modal"]

    def home_view(self, user_id: str) -> dict | None:
        """The Home tab last published for `user_id`, or None."""
        with self._lock:
            return self.view(self._home_views.get(user_id, ""))

    def uploaded_files(self) -> list[dict]:
        """Completed uploads: id, filename, title, bytes, channel, initial_comment, ts."""
        with self._lock:
            return copy.deepcopy(self._uploaded)

    def response_url_posts(self, url: str | None = None) -> list[dict]:
        """JSON bodies POSTed to response URLs (to `url` only, if given), oldest first."""
        with self._lock:
            return [copy.deepcopy(body) for to, body in self._response_posts if url in (None, to)]

    def wait_for_response_url_post(
        self, url: str | None = None, count: int = 1, timeout: float = 10.0
    ) -> dict:
        """Block until `count` posts reached `url` (any URL if None); return the last of them."""
        self._wait(lambda: len(self.response_url_posts(url)) >= count, timeout, f"post to {url}")
        return self.response_url_posts(url)[count - 1]

    def _wait(self, predicate: Any, timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(predicate, timeout):
                seen = [c.method for c in self.calls]
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; saw {seen}")

    # -- HTTP entry points ----------------------------------------------------------------------

    def _handle_api(self, method: str, query: str, body: bytes, headers: dict) -> _Reply:
        if self.latency or self.jitter:
            time.sleep(self.latency + random.uniform(0, self.jitter))
        self._wait_if_held(method)
        try:
            args = _parse_args(query, body, headers.get("content-type", ""))
        except SlackError as error:
            args, reply = {}, _Reply(200, error.body())
        else:
            reply = self._answer(method, args, headers)
        response = reply.body if isinstance(reply.body, dict) else {}
        with self._changed:
            wait = reply.headers.get("Retry-After")
            call = Call(method, args, reply.status, response, headers, time.monotonic())
            call.retry_after = int(wait) if wait else None
            self.calls.append(call)
            self._changed.notify_all()
        return reply

    def _answer(self, method: str, args: dict, headers: dict) -> _Reply:
        with self._lock:
            fault = self._take_fault(method)
            if fault is not None:
                return fault
            if method == "chat.postMessage":
                limited = self._rate_limited(str(args.get("channel", "")))
                if limited is not None:
                    return limited
            handler = getattr(self, f"_api_{method.replace('.', '_')}", None)
            if handler is None:
                return _Reply(200, {"ok": False, "error": "unknown_method", "req_method": method})
            try:
                self._authorize(method, args, headers)
                return _Reply(200, {"ok": True, **handler(args)})
            except SlackError as error:
                if error.error in BLOCK_KIT_ERRORS:
                    self.refusals.append(Refusal(method, error.error, error.messages))
                return _Reply(200, error.body())

    def _take_fault(self, method: str) -> _Reply | None:
        fault = self._faults.get(method)
        if fault is None:
            return None
        fault.remaining -= 1
        if fault.remaining <= 0:
            del self._faults[method]
        if fault.error == "connection_reset":
            return _Reply(0, {}, drop=True)
        headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
        return _Reply(fault.status, {"ok": False, "error": fault.error}, headers)

    def _rate_limited(self, channel: str) -> _Reply | None:
        """429 when a post would break the per-channel or the workspace limit."""
        now = time.monotonic()
        if self.workspace_limit is not None:
            most, seconds = self.workspace_limit
            self._recent_posts = [t for t in self._recent_posts if t > now - seconds]
            if len(self._recent_posts) >= most:
                wait = max(1, int(self._recent_posts[0] + seconds - now + 0.999))
                return self._ratelimited_reply(wait)
        if self.enforce_channel_rate:
            key = self.dm_channel(channel) if channel in self._users else channel
            if now - self._last_post.get(key, -1e9) < 1.0:
                return self._ratelimited_reply(1)
            self._last_post[key] = now
        if self.workspace_limit is not None:
            self._recent_posts.append(now)
        return None

    def _ratelimited_reply(self, retry_after: int) -> _Reply:
        self.rate_limited_answers += 1
        body = {"ok": False, "error": "ratelimited"}
        return _Reply(429, body, {"Retry-After": str(retry_after)})

    def _authorize(self, method: str, args: dict, headers: dict) -> None:
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or args.get("token")
        if token in self._workspace_tokens and method != "apps.connections.open":
            self._check_team(self._workspace_tokens[token], args)
            return
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            raise SlackError("not_authed")
        if token in (self.app_token, self.bot_token) and token != wanted:
            raise SlackError("not_allowed_token_type")
        if token != wanted:
            raise SlackError("invalid_auth")
        if wanted == self.bot_token:
            self._check_team(self.team_id, args)

    def _check_team(self, team_id: str, args: dict) -> None:
        """A bot acts in its own workspace only: refuse a user or DM of another one."""
        named = [args.get(name) for name in ("channel", "user", "user_id")]
        named += str(args.get("users") or "").split(",")
        for value in filter(None, named):
            user = self._users.get(value) or self._users.get(self._dm_user(value) or "")
            if user is not None and user["team_id"] != team_id:
                raise SlackError("invalid_auth")

    def _handle_upload(self, file_id: str, body: bytes) -> _Reply:
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None:
                return _Reply(404, "not_found")
            pending["bytes"] = body
        return _Reply(200, f"OK - {len(body)}")

    def _handle_response_url(self, url: str, body: bytes) -> _Reply:
        # Slack answers a response URL in plain text: "ok", or the error with a 4xx status.
        try:
            payload = json.loads(body)
        except ValueError:
            return _Reply(400, "invalid_payload")
        with self._changed:
            if url not in self._response_urls:
                return _Reply(404, "no_service")
            created, uses = self._response_urls[url]
            if time.monotonic() - created > RESPONSE_URL_TTL:
                return _Reply(404, "expired_url")
            if uses >= RESPONSE_URL_USES:
                return _Reply(404, "used_url")
            try:
                if not isinstance(payload, dict):
                    raise SlackError("invalid_payload")
                _check_message_content(payload)
            except SlackError as error:
                self.refusals.append(Refusal("response_url", error.error, error.messages))
                return _Reply(400, error.error)
            self._response_urls[url][1] += 1
            self._response_posts.append((url, payload))
            self._changed.notify_all()
        return _Reply(200, "ok")

    def refuse_ack(self, what: str, messages: list[str]) -> None:
        """Note an answer to Slack (an ack) that Slack would not have taken."""
        with self._lock:
            self.refusals.append(Refusal(what, "refused", messages))

    def answer_submission(self, view_id: str, ack: dict) -> None:
        """Do what Slack does with a view_submission's acknowledgement: ``update`` replaces
        the submitted modal (same id, new hash), ``push`` stacks a new one on it."""
        action = ack.get("response_action")
        with self._lock:
            current = self._views.get(view_id)
            if current is None or action not in ("update", "push"):
                return
            if action == "update":
                self._store_view(ack["view"], view_id, previous=current)
            else:
                self._store_view(ack["view"], self._next_id("V"), previous=current)

    def expect_refusals(self) -> list[Refusal]:
        """Take the refusals so far (a test that breaks a payload on purpose reads them)."""
        with self._lock:
            taken, self.refusals = self.refusals, []
        return taken

    # -- shared lookups (called with the lock held) ----------------------------------------------

    def _next_number(self) -> int:
        self._sequence += 1
        return self._sequence

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0{self._next_number():08X}"

    def _next_ts(self) -> str:
        micros = max(time.time_ns() // 1000, self._last_ts_micros + 100)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _user(self, user_id: str) -> dict:
        if user_id not in self._users:
            raise SlackError("user_not_found")
        return self._users[user_id]

    def _dm_user(self, channel_id: str) -> str | None:
        user_id = channel_id[1:]
        return user_id if channel_id.startswith("D") and user_id in self._users else None

    def _members(self, channel_id: str) -> list[str]:
        if self._dm_user(channel_id):
            return [self._dm_user(channel_id), self.bot_user_id]
        if channel_id not in self._channels:
            raise SlackError("channel_not_found")
        return self._channels[channel_id]["members"]

    def _postable(self, channel_id: str) -> str:
        """Resolve a channel (or a user id, meaning their DM) the bot may post to."""
        if channel_id in self._users:
            channel_id = self.dm_channel(channel_id)
        members = self._members(channel_id)
        dm_user = self._dm_user(channel_id)
        archived = self._users[dm_user]["deleted"] if dm_user else None
        if archived or self._channels.get(channel_id, {}).get("is_archived"):
            raise SlackError("is_archived")
        if self.bot_user_id not in members:
            raise SlackError("not_in_channel")
        return channel_id

    def _stored_message(self, channel_id: str, ts: str) -> dict:
        for message in self._messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _new_message(self, args: dict, ts: str) -> dict:
        _check_message_content(args)
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": args.get("text", ""),
            "ts": ts,
            "team": self.team_id,
        }
        for name in ("blocks", "attachments", "thread_ts", "metadata"):
            if name in args:
                message[name] = args[name]
        return message

    # -- auth, users, conversations -------------------------------------------------------------

    def _api_auth_test(self, args: dict) -> dict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": "Voice Coach Test",
            "user": self._users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_users_info(self, args: dict) -> dict:
        return {"user": copy.deepcopy(self._user(args.get("user", "")))}

    def _api_conversations_open(self, args: dict) -> dict:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if len(users) != 1:
            raise SlackError("invalid_arguments", ["[ERROR] the fake opens one-user DMs only"])
        if self._user(users[0])["deleted"]:
            raise SlackError("user_disabled")
        if self._users[users[0]]["is_bot"]:
            raise SlackError("cannot_dm_bot")
        channel_id = self.dm_channel(users[0])
        if channel_id in self._opened_dms:
            return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}
        self._opened_dms.add(channel_id)
        return {"channel": {"id": channel_id}}

    def _api_conversations_info(self, args: dict) -> dict:
        channel_id = args.get("channel", "")
        user_id = self._dm_user(channel_id)
        if user_id:
            deleted = self._users[user_id]["deleted"]
            dm = {"id": channel_id, "is_im": True, "user": user_id, "is_user_deleted": deleted}
            return {"channel": dm}
        if channel_id not in self._channels:
            raise SlackError("channel_not_found")
        return {"channel": self._channel_object(self._channels[channel_id])}

    def _channel_object(self, record: dict) -> dict:
        empty_text = {"value": "", "creator": "", "last_set": 0}
        return {
            **dict.fromkeys(CHANNEL_FLAGS.split(), False),
            **{
                name: record[name]
                for name in ("id", "name", "created", "is_private", "is_archived")
            },
            "name_normalized": record["name"],
            "is_channel": not record["is_private"],
            "is_member": self.bot_user_id in record["members"],
            "num_members": len(record["members"]),
            "creator": "",
            "topic": dict(empty_text),
            "purpose": dict(empty_text),
        }

    def _api_conversations_members(self, args: dict) -> dict:
        members = self._members(args.get("channel", ""))
        limit = int(args.get("limit") or 100)
        start = 0
        if args.get("cursor"):
            member = base64.b64decode(args["cursor"]).decode().removeprefix("user:")
            if member not in members:
                raise SlackError("invalid_cursor")
            start = members.index(member)
        end = start + limit
        cursor = ""
        if end < len(members):
            cursor = base64.b64encode(f"user:{members[end]}".encode()).decode()
        return {"members": members[start:end], "response_metadata": {"next_cursor": cursor}}

    # -- chat -----------------------------------------------------------------------------------

    def _api_chat_postMessage(self, args: dict) -> dict:
        channel_id = self._postable(args.get("channel", ""))
        message = self._new_message(args, self._next_ts())
        self._messages.setdefault(channel_id, []).append(message)
        return {"channel": channel_id, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _api_chat_update(self, args: dict) -> dict:
        channel_id, ts = args.get("channel", ""), args.get("ts", "")
        stored = self._stored_message(channel_id, ts)
        updated = self._new_message(args, ts)
        stored.clear()
        stored.update(updated, edited={"user": self.bot_user_id, "ts": self._next_ts()})
        return {"channel": channel_id, "ts": ts, "text": updated["text"], "message": updated}

    def _api_chat_delete(self, args: dict) -> dict:
        channel_id, ts = args.get("channel", ""), args.get("ts", "")
        self._messages[channel_id].remove(self._stored_message(channel_id, ts))
        return {"channel": channel_id, "ts": ts}

    def _api_chat_postEphemeral(self, args: dict) -> dict:
        channel_id = self._postable(args.get("channel", ""))
        user_id = self._user(args.get("user", ""))["id"]
        if user_id not in self._members(channel_id):
            raise SlackError("user_not_in_channel")
        message = self._new_message(args, self._next_ts())
        self._ephemerals.append({**message, "channel": channel_id, "user": user_id})
        return {"message_ts": message["ts"]}

    def _api_chat_getPermalink(self, args: dict) -> dict:
        channel_id, ts = args.get("channel", ""), args.get("message_ts", "")
        self._members(channel_id)
        self._stored_message(channel_id, ts)
        link = f"https://{self.team_domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
        return {"channel": channel_id, "permalink": link}

    # -- views ----------------------------------------------------------------------------------

    def _api_views_open(self, args: dict) -> dict:
        spec = _check_view(args.get("view"), {"modal"})
        self._exchange_trigger(args.get("trigger_id", ""))
        return {"view": self._store_view(spec, self._next_id("V"))}

    _api_views_push = _api_views_open  # the fake keeps no per-user stack of modals

    def _api_views_update(self, args: dict) -> dict:
        current = self._find_view(args.get("view_id"), args.get("external_id"))
        self._check_hash(current, args.get("hash"))
        spec = _check_view(args.get("view"), {current["type"]})
        view = self._store_view(spec, current["id"], previous=current)
        return {"view": view}

    def _api_views_publish(self, args: dict) -> dict:
        user_id = self._user(args.get("user_id", ""))["id"]
        spec = _check_view(args.get("view"), {"home"})
        current = self._views.get(self._home_views.get(user_id, ""))
        if current is not None:
            self._check_hash(current, args.get("hash"))
        view_id = current["id"] if current else self._next_id("V")
        self._home_views[user_id] = view_id
        return {"view": self._store_view(spec, view_id, previous=current)}

    def _exchange_trigger(self, trigger_id: str) -> None:
        if trigger_id not in self._triggers:
            raise SlackError("invalid_trigger_id")
        issued = self._triggers[trigger_id]
        if issued is None:
            raise SlackError("exchanged_trigger_id")
        if time.monotonic() - issued > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        self._triggers[trigger_id] = None

    def _find_view(self, view_id: str | None, external_id: str | None) -> dict:
        for view in self._views.values():
            if view["id"] == view_id or (external_id and view["external_id"] == external_id):
                return view
        raise SlackError("not_found")

    @staticmethod
    def _check_hash(view: dict, expected: str | None) -> None:
        if expected and expected != view["hash"]:
            raise SlackError("hash_conflict")

    def _store_view(self, spec: dict, view_id: str, previous: dict | None = None) -> dict:
        view = view_object(spec, view_id, self.team_id, self.app_id, self.bot_id, previous)
        self._views[view_id] = view
        return copy.deepcopy(view)

    # -- files ----------------------------------------------------------------------------------

    def _api_files_getUploadURLExternal(self, args: dict) -> dict:
        filename, length = args.get("filename"), str(args.get("length", ""))
        if not filename or not length.isdigit():
            raise SlackError("invalid_arguments")
        file_id = self._next_id("F")
        self._pending_files[file_id] = {"filename": filename, "length": int(length), "bytes": None}
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, args: dict) -> dict:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        channels = [c for c in str(args.get("channels", "")).split(",") if c]
        channel_id = args.get("channel_id") or (channels[0] if channels else None)
        if channel_id:
            channel_id = self._postable(channel_id)
        pending = [self._pending_files.get(f.get("id"), {}) for f in files]
        if any(p.get("bytes") is None for p in pending):
            raise SlackError("file_not_found")
        completed = []
        for spec, upload in zip(files, pending, strict=True):
            del self._pending_files[spec["id"]]
            completed.append({"id": spec["id"], "title": spec.get("title") or upload["filename"]})
            self._uploaded.append(
                {
                    **completed[-1],
                    "filename": upload["filename"],
                    "bytes": upload["bytes"],
                    "channel": channel_id,
                    "initial_comment": args.get("initial_comment"),
                    "ts": self._next_ts(),  # when it was shared, for a timeline
                }
            )
        return {"files": completed}

    # -- socket mode ----------------------------------------------------------------------------

    def _api_apps_connections_open(self, args: dict) -> dict:
        if self._socket_mode is None:
            raise SlackError("socket_mode_not_enabled")
        return {"url": self._socket_mode.connection_url()}

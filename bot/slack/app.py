"""The Bolt app: its client, middleware, error handling and listeners."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher
from slack_bolt.middleware import Middleware
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.logs import quiet_payload_loggers
from bot.observability import metrics
from bot.services import Services
from bot.settings import Settings
from bot.slack import listeners
from bot.slack.handover import HandingOverRunner, Handover, handed_over
from bot.slack.listener_pool import ListenerPool, dispatching
from bot.slack.refusals import REFUSED, checked_respond, method_of, refusal_of
from bot.slack.slots import LendingWhileSleeping
from bot.slack.surfaces import send_dm
from bot.slack.tokens import TokenAuthorize, Tokens, WorkspaceTokens
from bot.slack.transport import (
    ConnectionErrorRetries,
    KeptAliveWebClient,
    ServerErrorRetries,
    retry_after_of,
)

log = logging.getLogger(__name__)

# Bolt runs each listener in this pool and answers Slack once the listener has acked.
# Listeners ack first and keep working afterwards (replies, Slack calls), so the pool
# must outnumber the server's request threads (8), or a new request's listener would
# wait for a slot and its ack with it (Bolt's default is 5). Not many more: every
# thread doing work after its ack competes for the GIL with the acks still to come
# (bench/ack_latency.py measured 16 ahead of 8, 12, 24 and 32).
LISTENER_THREADS = 16
# Tries after a 429 for one call, within CountedRateLimitRetries' budget of waiting.
RATE_LIMIT_RETRIES = 6

SORRY = (
    "Sorry, something went wrong on my side and I couldn't finish that. "
    "Nothing you told me was lost. Please try again in a minute."
)


def make_client(settings: Settings, *, retry_rate_limits: bool = True) -> KeptAliveWebClient:
    """The Web API client every call goes through, retrying what is worth retrying,
    over kept-alive connections (``bot.slack.transport``).

    ``retry_rate_limits=False`` is for the check-in dispatcher, which turns a 429
    into a wait shared by every process instead of sleeping in one thread.
    """
    quiet_payload_loggers()
    retries = [
        # First, so it sees every answer (Bolt copies these into each request's client).
        SlackAnswerObserver(),
        ConnectionErrorRetries(max_retry_count=2),
        ServerErrorRetries(max_retry_count=2),
    ]
    if retry_rate_limits:
        retries.insert(2, CountedRateLimitRetries())
    return KeptAliveWebClient(
        # Many workspaces: no token of its own; each call names its workspace's.
        token=settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retries,
    )


class SlackAnswerObserver(RetryHandler):
    """Counts Slack's error answers by method and error, each try on its own, 429s and
    server errors included; it never asks for a retry itself."""

    def can_retry(self, *, state, request, response=None, error=None) -> bool:
        if response is None:
            name = "timeout" if isinstance(error, TimeoutError) else "connection_error"
        elif response.status_code == 429:
            name = "ratelimited"
        elif response.status_code != 200:
            name = _error_in(response.data) or f"http_{response.status_code}"
        elif response.body and response.body.get("ok") is False:
            name = response.body.get("error")
        else:
            return False
        method = method_of(request.url)
        metrics.slack_error(method, name)
        if name in REFUSED:
            metrics.slack_refused(method, name)
        return False


def _error_in(data: bytes | None) -> str | None:
    try:
        return json.loads(data or b"").get("error")
    except (ValueError, AttributeError):
        return None


class CountedRateLimitRetries(LendingWhileSleeping, RateLimitErrorRetryHandler):
    """Sleeps for Slack's Retry-After and tries again, like its parent, while what one
    call has waited and Slack's next Retry-After fit in ``max_wait`` seconds (each sleep
    adds up to a second of jitter); counts the wait.

    A burst of 429s (Slack's limits, or several processes posting to one DM) passes in a
    few seconds, and her reply or DM should come through it rather than be lost; a wait
    longer than the budget is not slept in a listener's thread (they are few) but raised
    to the caller at once. In a listener process the sleep lends the request's CPU slot
    (``LendingWhileSleeping``)."""

    def __init__(self, max_retry_count: int = RATE_LIMIT_RETRIES, *, max_wait: float = 10.0):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return _waited(state) + retry_after_of(response.headers) <= self.max_wait

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        started = time.monotonic()
        super().prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )
        spent = time.monotonic() - started
        state.custom_values = {**(state.custom_values or {}), "waited": _waited(state) + spent}
        metrics.rate_limit_wait("client", spent)


def _waited(state) -> float:
    return (state.custom_values or {}).get("waited", 0.0)


# What a request is, for metrics and logs; anything else (a forged body) is "other".
KINDS = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "url_verification",
        "app_rate_limited",
    }
)
# Kinds a person did something for, and so may be told that it failed.
INTERACTIVE = frozenset({"command", "block_actions", "view_submission", "shortcut"})


def request_kind(body: dict) -> str:
    if not isinstance(body, dict):
        return "other"
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return kind if kind in KINDS else "other"


# Set in a request's context once Bolt has answered Slack (see _on_error).
ANSWERED = "voice_coach_answered"


class _Answered(threading.Event):
    def __deepcopy__(self, memo) -> _Answered:
        return self  # Bolt's copy of a request for its lazy listener: the same request


# Bolt waits for an acknowledgement this long before it gives up on a listener.
ACK_TIMEOUT_SECONDS = 3.0


class MeasuredApp(App):
    """Bolt's App, counting each request and its time to acknowledgement by kind (both
    the HTTP handler and Socket Mode hand every request to ``dispatch``), and telling
    its listener pool which request a listener is for (``dispatching``).

    ``handover``: the worker's listener processes, once it has them
    (``bot.slack.handover``); None in a listener process and wherever the work stays in
    this process."""

    listener_pool: ListenerPool
    handover: Handover | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Bolt keeps its runner here and offers no way to give it another.
        self._listener_runner = HandingOverRunner(self._listener_runner, self)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        answered = req.context[ANSWERED] = _Answered()
        if handed_over(req):  # Slack had its answer from the worker that counted it
            answered.set()
            with dispatching(req):
                return super().dispatch(req)
        started = time.perf_counter()
        try:
            with dispatching(req):
                response = super().dispatch(req)
        finally:
            answered.set()
        metrics.request_handled(
            request_kind(req.body), response.status, time.perf_counter() - started
        )
        return response


def build_bolt_app(
    settings: Settings,
    client: WebClient,
    services: Services,
    *,
    tokens: Tokens | None = None,
    oauth: OAuthSettings | None = None,
    listener_process: bool = False,
) -> App:
    """One workspace: ``client`` carries SLACK_BOT_TOKEN. Many: ``tokens`` (the
    WorkspaceTokens the scheduled jobs use too) authorizes each request and ``oauth``
    serves "Add to Slack". ``listener_process``: the app of a worker's listener process,
    which dispatches only what its worker verified and handed over."""
    many = isinstance(tokens, WorkspaceTokens)
    pool = ListenerPool(LISTENER_THREADS)
    app = MeasuredApp(
        client=client,  # carries the token (one workspace), the base URL and the retry handlers
        signing_secret=settings.slack_signing_secret or None,
        # Socket Mode requests arrive over an authenticated socket and carry no signature;
        # a listener process's from its worker, which checked it.
        request_verification_enabled=not (settings.socket_mode or listener_process),
        # bootstrap has already checked the token with auth.test.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=pool,
        # A listener process's requests are answered: each runs its listener in the
        # thread that dispatches it, so its own pool bounds how many run at once.
        process_before_response=listener_process,
        **(
            {
                "authorize": TokenAuthorize(tokens),
                "installation_store": tokens.store,
                "oauth_settings": oauth,
            }
            if many
            else {}
        ),
    )
    if not many and (app.oauth_flow is not None or app.installation_store is not None):
        # Bolt turns OAuth on by itself when SLACK_CLIENT_ID/SECRET are in the process's
        # environment, and drops the bot token: one workspace must stay one workspace.
        raise ValueError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are in the environment with "
            "SLACK_BOT_TOKEN: unset them for one workspace, or unset SLACK_BOT_TOKEN for many"
        )
    app.listener_pool = pool
    app.middleware(RequestMiddleware(_hand_over_answered(app)))
    if isinstance(client, KeptAliveWebClient):
        app.middleware(RequestMiddleware(_kept_alive(client)))
    app.middleware(RequestMiddleware(_installation_key))
    app.middleware(RequestMiddleware(_ack_clicks_on_arrival))
    app.middleware(RequestMiddleware(checked_respond))
    app.error(_on_error(tokens))
    listeners.register(app, services)
    match_on_body(app)
    return app


class RequestMiddleware(Middleware):
    """A middleware of ours, called with the request and ``next``. Bolt calls a function
    middleware with the arguments it names, building for that every argument a listener
    could ask for, for each middleware of each request."""

    def __init__(self, func: Callable[[BoltRequest, Callable], BoltResponse | None]):
        self.func = func

    def process(self, *, req: BoltRequest, resp: BoltResponse, next) -> BoltResponse | None:
        return self.func(req, next)


class _BodyMatcher(ListenerMatcher):
    """Bolt's own matcher of a listener (``app.action(...)``, ``app.view(...)``, ...)
    reads only the body; Bolt built every argument a listener could ask for to call it,
    for each listener it tried, until one matched: a tenth of a worker's CPU
    (bench/ack_latency.py's profile, 4 Dec 2026)."""

    def __init__(self, func: Callable[[dict], bool]):
        self.func = func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return self.func(req.body)


def match_on_body(app: App) -> None:
    """Every listener's built-in matcher called with the body alone (``_BodyMatcher``)."""
    for listener in app._listeners:  # Bolt gives listeners its matchers at registration
        listener.matchers = [
            _BodyMatcher(m.func)
            if type(m) is BuiltinListenerMatcher and m.arg_names == ["body"]
            else m
            for m in listener.matchers
        ]


def _kept_alive(client: KeptAliveWebClient):
    """Bolt gives each request a plain WebClient of its own (its workspace's token); this
    one is the same, over ``client``'s kept connections."""

    def use_kept_connections(req: BoltRequest, next) -> BoltResponse | None:
        req.context["client"] = client.like(req.context.client)
        return next()

    return use_kept_connections


def _ack_clicks_on_arrival(req: BoltRequest, next) -> BoltResponse | None:
    """A click's acknowledgement carries nothing (what she sees is the listener's reply),
    so it is sent as soon as the request is verified, as Bolt does for events, and not
    once a listener thread is free to call ack(): in a burst, every thread may be waiting
    on Slack for earlier clicks' replies. (The listener's own ack() then changes nothing.)
    Commands and submissions still ack from their listeners: their acks are replies."""
    if req.body.get("type") == "block_actions":
        req.context.ack()
    return next()


def _hand_over_answered(app: MeasuredApp):
    """A click or an event: its acknowledgement carries nothing, so when the worker has
    listener processes it acks at once and hands the whole request over, before the
    other middleware builds what only its listener needs. Commands and submissions hand
    over their lazy listeners (``HandingOverRunner``)."""

    def hand_over(req: BoltRequest, next) -> BoltResponse | None:
        handover = app.handover  # None in a listener process: it dispatches them itself
        if handover is None or req.body.get("type") not in _ANSWERED_EMPTY:
            return next()
        ack = req.context.ack
        ack()  # the first middleware of ours: nothing has acked it yet
        handover.send(req)
        return ack.response

    return hand_over


_ANSWERED_EMPTY = frozenset({"block_actions", "event_callback"})


def _installation_key(req: BoltRequest, next) -> BoltResponse | None:
    """Every table's ``team_id`` is the installation key: for a request from a workspace of
    an org-wide install, the enterprise id (one person across the org's workspaces)."""
    context = req.context
    if context.is_enterprise_install and context.enterprise_id:
        context["team_id"] = context.enterprise_id
    return next()


def _on_error(tokens: Tokens | None):
    def on_error(error: Exception, body: dict, respond, context, client: WebClient, response):
        if tokens is not None and isinstance(error, SlackApiError) and context.team_id:
            # A revoked token pauses its workspace; an expired one is refreshed next time.
            tokens.token_refused(team_id=context.team_id, error=error.response.get("error", ""))
        _log_error(error, body, respond, context, client, response)

    return on_error


def _log_error(error: Exception, body: dict, respond, context, client: WebClient, response) -> None:
    """Log once with context and count; the person sees a short apology, never the error.

    A payload Slack refused is logged with the method, Slack's error and where it broke
    (its JSON pointers), without a traceback that could carry what she wrote."""
    if response is None:
        # The listener had acknowledged. Bolt polls for that every 10 ms and forgets it
        # once this handler returns: a listener that failed fast (a refusal from a nearby
        # Slack) would leave the request unanswered for 3 s, then "unhandled" (404).
        answered = context.get(ANSWERED)
        if answered is not None:
            answered.wait(ACK_TIMEOUT_SECONDS)
    kind = request_kind(body)
    what = (
        body.get("command")
        or ",".join(a.get("action_id", "") for a in body.get("actions", []) or [])
        or body.get("view", {}).get("callback_id")
        or body.get("event", {}).get("type")
    )
    metrics.LISTENER_ERRORS.labels(kind=kind).inc()
    refused = refusal_of(error)
    if refused is not None:
        log.error(
            "listener failed: Slack refused %s: slack_error=%s pointers=%s "
            "team=%s user=%s kind=%s what=%s",
            refused.method,
            refused.error,
            ",".join(refused.pointers) or "-",
            context.team_id,
            context.user_id,
            kind,
            what,
        )
    else:
        detail = error.response.get("error") if isinstance(error, SlackApiError) else None
        log.error(
            "listener failed: team=%s user=%s kind=%s what=%s slack_error=%s",
            context.team_id,
            context.user_id,
            kind,
            what,
            detail,
            exc_info=error,
        )
    if kind in INTERACTIVE:
        _apologise(body, respond, context, client)


def _apologise(body: dict, respond, context, client: WebClient) -> None:
    """Through the response URL where there is one, else (a Home tab button, a modal,
    an expired URL) in her DM. Best effort: the error is logged already."""
    if context.get("response_url") or body.get("response_url"):
        try:
            if (
                respond(text=SORRY, response_type="ephemeral", replace_original=False).status_code
                == 200
            ):
                return
        except Exception:
            log.warning("could not apologise through the response URL", exc_info=True)
    user_id = context.user_id or (body.get("user") or {}).get("id")
    if not user_id:
        return
    try:
        send_dm(client, user_id, {"text": SORRY})
    except Exception:
        log.warning("could not tell the user about the error", exc_info=True)

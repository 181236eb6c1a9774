"""The Bolt app: its client, middleware, error handling and listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.logs import quiet_payload_loggers
from bot.services import Services
from bot.settings import Settings
from bot.slack import listeners

log = logging.getLogger(__name__)

# Bolt runs each listener in this pool and answers Slack once the listener has acked.
# Listeners ack first and keep working afterwards (replies, Slack calls), so the pool
# must outnumber the server's request threads (8), or a new request's listener would
# wait for a slot and its ack with it (Bolt's default is 5). Not many more: every
# thread doing work after its ack competes for the GIL with the acks still to come
# (bench/ack_latency.py measured 16 ahead of 8, 12, 24 and 32).
LISTENER_THREADS = 16

SORRY = (
    "Sorry, something went wrong on my side and I couldn't finish that. "
    "Nothing you told me was lost. Please try again in a minute."
)


def make_client(settings: Settings, *, retry_rate_limits: bool = True) -> WebClient:
    """The Web API client every call goes through, retrying what is worth retrying.

    ``retry_rate_limits=False`` is for the check-in dispatcher, which turns a 429
    into a wait shared by every process instead of sleeping in one thread.
    """
    quiet_payload_loggers()
    retries = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    if retry_rate_limits:
        retries.insert(1, RateLimitErrorRetryHandler(max_retry_count=2))
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retries,
    )


def build_bolt_app(settings: Settings, client: WebClient, services: Services) -> App:
    app = App(
        client=client,  # carries the token, the base URL and the retry handlers
        signing_secret=settings.slack_signing_secret or None,
        # Socket Mode requests arrive over an authenticated socket and carry no signature.
        request_verification_enabled=not settings.socket_mode,
        # bootstrap has already checked the token with auth.test.
        token_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener"),
    )
    app.middleware(_skip_slack_retries(services))
    app.error(_on_error)
    listeners.register(app, services)
    return app


def _skip_slack_retries(services: Services):
    """Slack re-delivers an event it thinks we missed; handle each event_id once."""

    def skip_slack_retries(body: dict, context, next) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not services.workspaces.first_delivery(
            team_id=context.team_id or body.get("team_id") or "", request_key=f"event:{event_id}"
        ):
            log.info("skipping a repeated delivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return skip_slack_retries


def _on_error(error: Exception, body: dict, respond, context) -> None:
    """Log with context; the person sees a short apology, never the error itself."""
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    what = (
        body.get("command")
        or ",".join(a.get("action_id", "") for a in body.get("actions", []) or [])
        or body.get("view", {}).get("callback_id")
        or body.get("event", {}).get("type")
    )
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
    if context.get("response_url") or body.get("response_url"):
        try:
            respond(text=SORRY, response_type="ephemeral", replace_original=False)
        except Exception:  # the apology is best effort; the error is logged above
            log.warning("could not tell the user about the error", exc_info=True)

"""Payloads Slack refuses: which answers mean that, where it broke, and a respond() that
says so.

A refusal is a bug in a message or view the app built, never a network fault, so
nothing retries it. It is logged once at ERROR with the method, Slack's error and the
JSON pointers of ``response_metadata.messages`` (never the payload: her words are in
it), and counted as ``voice_coach_slack_refused_total`` (Web API calls by the client's
observer in bot.slack.app, response URLs by ``CheckedRespond``).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from slack_bolt import BoltRequest, Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookResponse

from bot.observability import metrics
from bot.services.dispatch import Refused
from bot.slack.transport import ConnectionPool, KeptAliveWebhookClient

# From the error lists of chat.postMessage, chat.update, chat.postEphemeral and views.*:
# the answers about the request itself, which sending it again can only get again.
# (A response URL answers a bad message with HTTP 400 and one of these as plain text.)
REFUSED = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "invalid_attachments",
        "too_many_attachments",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "invalid_arg_name",
        "invalid_array_arg",
        "invalid_charset",
        "invalid_form_data",
        "invalid_json",
        "json_not_object",
        "invalid_post_type",
        "missing_post_type",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "markdown_text_conflict",
        "view_too_large",
        "invalid_payload",
    }
)

_POINTER = re.compile(r"\[json-pointer:([^\]\s]+)\]")
MAX_POINTERS = 10


def method_of(url: str | None) -> str:
    """``chat.postMessage`` from ``https://slack.com/api/chat.postMessage?…``."""
    return urlsplit(url or "").path.rsplit("/", 1)[-1] or "unknown"


def pointers_in(response_metadata: dict | None) -> tuple[str, ...]:
    """The JSON pointers Slack named, in order, once each; nothing else of its messages."""
    found: list[str] = []
    for message in (response_metadata or {}).get("messages") or []:
        for pointer in _POINTER.findall(str(message)):
            if pointer not in found:
                found.append(pointer)
    return tuple(found[:MAX_POINTERS])


def refusal_of(error: BaseException) -> Refused | None:
    """The refusal this error is, if it is one."""
    if isinstance(error, Refused):
        return error
    if not isinstance(error, SlackApiError) or error.response is None:
        return None
    code = error.response.get("error")
    if code not in REFUSED:
        return None
    method = method_of(getattr(error.response, "api_url", None))
    return Refused(method, code, pointers_in(error.response.get("response_metadata")))


class CheckedRespond(Respond):
    """Bolt's respond() hands back whatever the response URL answered; this one raises
    Refused when it refused the message, and counts its other errors (an expired or
    used-up URL is returned as before). With ``pool`` (the app's client's), it is sent
    over a kept connection."""

    def __init__(self, *, pool: ConnectionPool | None = None, **kwargs):
        super().__init__(**kwargs)
        self.pool = pool

    def __call__(self, text: str | dict = "", **fields) -> WebhookResponse:
        if self.pool is None:
            response = super().__call__(text, **fields)
        else:  # Bolt's own, over the app's kept connections
            message = (
                _build_message(**text) if isinstance(text, dict) else _build_message(text, **fields)
            )
            client = KeptAliveWebhookClient(
                self.response_url, pool=self.pool, proxy=self.proxy, ssl=self.ssl
            )
            response = client.send_dict(message)
        if response.status_code != 200:
            error = metrics.label((response.body or "").strip(), f"http_{response.status_code}")
            metrics.slack_error("response_url", error)
            if response.status_code == 400 or error in REFUSED:
                metrics.slack_refused("response_url", error)
                raise Refused("response_url", error)
        return response


def checked_respond(req: BoltRequest, next) -> None:
    """Middleware (``RequestMiddleware``): listeners (and the error handler) get a
    CheckedRespond."""
    context = req.context
    if context.response_url:
        context["respond"] = CheckedRespond(
            response_url=context.response_url,
            proxy=context.client.proxy,
            ssl=context.client.ssl,
            pool=getattr(context.client, "pool", None),
        )
    return next()


def log_failure(logger, what: str, error: SlackApiError, otherwise: int = logging.WARNING) -> None:
    """For a Slack call whose failure is handled where it happens: a refusal (a bug) at
    ERROR with where it broke, any other error at the level ``otherwise``."""
    refused = refusal_of(error)
    if refused is not None:
        logger.error("%s: Slack %s", what, refused)
    else:
        logger.log(otherwise, "%s: %s", what, error.response.get("error"))

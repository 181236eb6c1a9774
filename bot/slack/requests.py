"""Slack's request as Bolt reads it, with its body decoded faster.

A click or a modal submission arrives as ``payload=`` and the whole message or view,
JSON, percent-encoded: thousands of ``%XX`` for a check-in DM. Bolt decodes it with
``urllib.parse``, which turns each escape back into a byte in a Python loop: a sixth of
a worker's CPU and a tenth of a listener process's under bench/ack_latency.py's load
(the profile of 4 Dec 2026), more than the JSON that follows. ``unquote_plus`` here does
the same in C; whatever it can't decode goes to ``urllib.parse`` as before.
"""

from __future__ import annotations

import codecs
import json
from urllib.parse import unquote_plus as _stdlib_unquote_plus

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import build_context
from slack_bolt.request.internals import parse_body as _bolt_parse_body

_PAYLOAD = "payload="


def unquote_plus(value: str) -> str:
    """``urllib.parse.unquote_plus``: each ``%XX`` becomes ``\\xXX`` for the codec that
    reads Python's escapes (its own backslashes doubled first, so no other escape is
    read), the bytes read as UTF-8 with the same replacement of what isn't."""
    escaped = value.replace("+", " ").replace("\\", "\\\\").replace("%", "\\x")
    try:
        decoded = codecs.escape_decode(escaped)[0]
    except ValueError:  # a % without two hex digits after it: urllib keeps it as it is
        return _stdlib_unquote_plus(value)
    return decoded.decode("utf-8", "replace")


def parse_body(body: str, content_type: str | None) -> dict:
    """Bolt's ``parse_body``, the one-field ``payload=`` form decoded here."""
    if body.startswith(_PAYLOAD) and "&" not in body and content_type != "application/json":
        return json.loads(unquote_plus(body[len(_PAYLOAD) :]))
    return _bolt_parse_body(body, content_type)


class SlackRequest(BoltRequest):
    """A ``BoltRequest`` over HTTP whose body ``parse_body`` decoded."""

    def __init__(self, *, body: str, query=None, headers=None):
        super().__init__(body="", query=query, headers=headers)  # Bolt parses nothing
        self.raw_body = body
        self.body = parse_body(body, self.content_type)
        self.context = build_context(self.context, self.body)


class RequestHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, its Slack requests read as ``SlackRequest``."""

    def dispatch(self, request) -> BoltResponse:
        return self.app.dispatch(
            SlackRequest(
                body=request.get_body(), query=request.query_string, headers=request.get_headers()
            )
        )

"""Slack's bodies read as Bolt reads them: the same dict, the same context, any text."""

from __future__ import annotations

import json
from urllib.parse import quote_plus, urlencode
from urllib.parse import unquote_plus as stdlib_unquote_plus

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from slack_bolt import BoltRequest
from slack_bolt.request.internals import parse_body as bolt_parse_body

from bot.slack.requests import SlackRequest, parse_body, unquote_plus

# Form-encoded text as a hostile client could send it: escapes, broken escapes, pluses,
# backslashes (Python's own escape character) and text that isn't ASCII.
TRICKY = st.sampled_from(list("%+\\&=xX0123456789abcdefABCDEFgz \n\"'{}é—😀"))
FORM_TEXT = st.text(alphabet=TRICKY | st.characters(), max_size=60)


@given(FORM_TEXT)
@example("%")
@example("%4")
@example("%zz")
@example("\\x41")
@example("%5Cx41")
@example("%C3")  # half a UTF-8 character
@example("%ff%fe")
def test_unquote_plus_is_urllibs(value):
    assert unquote_plus(value) == stdlib_unquote_plus(value)


@given(st.text(max_size=200))
def test_unquote_plus_reads_what_was_quoted(text):
    assert unquote_plus(quote_plus(text)) == text


PAYLOAD = {
    "type": "block_actions",
    "user": {"id": "U1", "team_id": "T1"},
    "team": {"id": "T1"},
    "channel": {"id": "D1"},
    "response_url": "https://hooks.slack.com/actions/T1/1/x",
    "message": {"text": "100% “ready” & <https://x.y/?a=1&b=2|set> \\o/ :tada: é 😀"},
    "actions": [{"action_id": "checkin_swap", "value": "42"}],
}


@given(st.recursive(st.text() | st.integers() | st.booleans(), st.lists, max_leaves=10))
def test_a_payload_is_read_as_bolt_reads_it(anything):
    body = urlencode({"payload": json.dumps({**PAYLOAD, "anything": anything})})
    assert parse_body(body, "application/x-www-form-urlencoded") == bolt_parse_body(
        body, "application/x-www-form-urlencoded"
    )


@pytest.mark.parametrize(
    "body",
    [
        urlencode({"payload": json.dumps(PAYLOAD)}),
        urlencode({"command": "/voice", "text": "log 100% & more", "team_id": "T1"}),
        json.dumps({"type": "event_callback", "team_id": "T1", "event": {"user": "U1"}}),
        "payload=%7B%22type%22%3A%22block_actions%22%7D&extra=1",
        "",
    ],
)
def test_a_request_is_bolts_request(body):
    headers = {"content-type": ["application/x-www-form-urlencoded"]}
    ours, bolts = SlackRequest(body=body, headers=headers), BoltRequest(body=body, headers=headers)
    assert ours.raw_body == bolts.raw_body == body
    assert ours.body == bolts.body
    assert dict(ours.context) == dict(bolts.context)
    assert ours.lazy_only == bolts.lazy_only and ours.lazy_function_name is None


def test_a_malformed_payload_is_refused_as_bolt_refuses_it():
    body = "payload=%7B%22type%22%3A"  # JSON cut short
    with pytest.raises(json.JSONDecodeError):
        bolt_parse_body(body, None)
    with pytest.raises(json.JSONDecodeError):
        parse_body(body, None)

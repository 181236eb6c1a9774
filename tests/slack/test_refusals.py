"""What counts as Slack refusing a payload, where it broke, and a respond() that says so."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.errors import SlackApiError

from bot.clock import SystemClock
from bot.observability import metrics
from bot.services.dispatch import Refused
from bot.slack.app import make_client
from bot.slack.refusals import CheckedRespond, log_failure, pointers_in, refusal_of
from tests.conftest import make_settings
from tests.observability.support import grew

EMPTY_SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": ""}}


def _page(db) -> str:
    return metrics.render(db, SystemClock(), None)[0].decode()


def test_pointers_are_read_from_slacks_messages_once_each_and_nothing_else():
    metadata = {
        "messages": [
            "[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0/text]",
            "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
            "[ERROR] failed to match all allowed schemas [json-pointer:/blocks/0/text]",
            "[WARN] something without a pointer",
        ]
    }
    assert pointers_in(metadata) == ("/blocks/0/text", "/blocks/0/text/text")
    assert pointers_in(None) == () and pointers_in({}) == ()


def test_a_web_api_refusal_names_its_method_error_and_pointers(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.add_user("U1")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(
            channel=fake_slack.dm_channel("U1"), text="hi", blocks=[EMPTY_SECTION]
        )
    refused = refusal_of(raised.value)
    assert (refused.method, refused.error) == ("chat.postMessage", "invalid_blocks")
    assert refused.pointers == ("/blocks/0/text/text",)
    fake_slack.expect_refusals()
    with pytest.raises(SlackApiError) as other:
        client.chat_postMessage(channel="CNOWHERE", text="hi")
    assert refusal_of(other.value) is None  # channel_not_found: not the payload's fault
    assert refusal_of(ValueError("no")) is None


def test_respond_raises_when_the_response_url_refuses_and_counts_other_errors(fake_slack, db):
    url = fake_slack.new_response_url()
    before = _page(db)
    with pytest.raises(Refused) as raised:
        CheckedRespond(response_url=url)(text="hi", blocks=[EMPTY_SECTION])
    assert (raised.value.method, raised.value.error) == ("response_url", "invalid_blocks")
    assert [r.where for r in fake_slack.expect_refusals()] == ["response_url"]
    assert CheckedRespond(response_url=url)(text="Sorry").status_code == 200
    fake_slack.expire_response_url(url)
    assert CheckedRespond(response_url=url)(text="Late").status_code == 404  # not a bug
    after = _page(db)
    refused = {"method": "response_url", "error": "invalid_blocks"}
    assert grew(before, after, "voice_coach_slack_refused_total", **refused) == 1
    expired = {"method": "response_url", "error": "expired_url"}
    assert grew(before, after, "voice_coach_slack_api_errors_total", **expired) == 1
    assert grew(before, after, "voice_coach_slack_refused_total", **expired) == 0


def test_a_handled_failure_is_an_error_when_refused_a_warning_otherwise(caplog):
    refused = SlackApiError("", {"ok": False, "error": "no_text"})
    gone = SlackApiError("", {"ok": False, "error": "channel_not_found"})
    log = logging.getLogger("test")
    with caplog.at_level(logging.INFO):
        log_failure(log, "round-up for C1 not posted", refused)
        log_failure(log, "round-up for C2 not posted", gone)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "round-up for C1 not posted: Slack unknown refused: no_text"),
        ("WARNING", "round-up for C2 not posted: channel_not_found"),
    ]

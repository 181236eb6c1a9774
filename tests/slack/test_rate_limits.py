"""Slack's 429s in the app's client (bot.slack.app.CountedRateLimitRetries): a burst is
waited out and the message arrives once; a wait longer than the budget is not slept."""

from __future__ import annotations

import time

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.app import RATE_LIMIT_RETRIES, CountedRateLimitRetries, make_client
from bot.slack.transport import KeptAliveWebClient
from tests.conftest import BOT_TOKEN, USER_ID, make_settings


def _post(client) -> None:
    client.chat_postMessage(channel=USER_ID, text="Nice one: you spoke first.")


def _posted(fake) -> list[str]:
    return [m["text"] for m in fake.messages(fake.dm_channel(USER_ID))]


def _answers(fake) -> list[int]:
    return [c.status for c in fake.calls if c.method == "chat.postMessage"]


def test_a_burst_of_429s_is_waited_out_and_the_message_arrives_once(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=0, times=4)
    _post(client)
    assert _posted(fake_slack) == ["Nice one: you spoke first."]
    assert _answers(fake_slack) == [429, 429, 429, 429, 200]


def test_after_its_last_try_the_429_reaches_the_caller(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    tries = 1 + RATE_LIMIT_RETRIES
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=0, times=tries)
    with pytest.raises(SlackApiError) as refused:
        _post(client)
    assert refused.value.response.status_code == 429
    assert _answers(fake_slack) == [429] * tries
    assert _posted(fake_slack) == []


def test_a_wait_longer_than_the_budget_is_not_slept(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=11)
    started = time.monotonic()
    with pytest.raises(SlackApiError) as refused:
        _post(client)
    assert time.monotonic() - started < 1
    assert refused.value.response.headers["Retry-After"] == "11"  # the caller's to honour
    assert _answers(fake_slack) == [429]


def test_one_calls_waits_stop_at_the_budget(fake_slack):
    client = KeptAliveWebClient(
        token=BOT_TOKEN,
        base_url=fake_slack.base_url,
        retry_handlers=[CountedRateLimitRetries(max_wait=1.5)],
    )
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=1, times=5)
    with pytest.raises(SlackApiError):
        _post(client)
    # Waited 1-2 s after the first; a second second would pass 1.5.
    assert _answers(fake_slack) == [429, 429]

"""Her DM: opened once per process, opened afresh when Slack says it is gone."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.playground.fakeslack.web_api import FakeSlack
from bot.slack.app import make_client
from bot.slack.surfaces import send_dm
from tests.conftest import make_settings

HELLO = {"text": "Hello"}


def test_her_dm_is_opened_once_then_reused(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.add_user("U1")
    first = send_dm(client, "U1", HELLO)
    second = send_dm(client, "U1", HELLO)
    assert [c.method for c in fake_slack.calls] == [
        "conversations.open",
        "chat.postMessage",
        "chat.postMessage",
    ]
    assert first[0] == second[0] == fake_slack.dm_channel("U1")
    # Bolt gives each request a client of its own: the next request still knows her DM.
    send_dm(WebClient(token=client.token, base_url=client.base_url), "U1", HELLO)
    assert [c.method for c in fake_slack.calls][-1] == "chat.postMessage"
    assert len(fake_slack.calls_to("conversations.open")) == 1
    # Another colleague's DM, and the same person through another Slack, are opened anew.
    fake_slack.add_user("U2")
    send_dm(client, "U2", HELLO)
    with FakeSlack(bot_token=fake_slack.bot_token) as elsewhere:
        elsewhere.add_user("U1")
        send_dm(WebClient(token=client.token, base_url=elsewhere.base_url), "U1", HELLO)
        assert [c.method for c in elsewhere.calls] == ["conversations.open", "chat.postMessage"]
    assert len(fake_slack.calls_to("conversations.open")) == 2


def test_a_dm_slack_says_is_gone_is_opened_afresh(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.add_user("U1")
    send_dm(client, "U1", HELLO)
    fake_slack.reset_calls()
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    channel, ts = send_dm(client, "U1", HELLO)
    assert [c.method for c in fake_slack.calls] == [
        "chat.postMessage",
        "conversations.open",
        "chat.postMessage",
    ]
    assert fake_slack.message(channel, ts)["text"] == "Hello"

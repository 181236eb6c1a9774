"""Slack's Web API over kept-alive connections (bot.slack.transport): fewer handshakes,
the same answers, and nothing sent twice or lost when a connection goes away."""

from __future__ import annotations

import os
import threading
from unittest import mock

import pytest
from slack_sdk.errors import SlackApiError

from bot.clock import SystemClock
from bot.observability import metrics
from bot.slack import slots as slots_module
from bot.slack.app import make_client
from bot.slack.slots import CpuSlots
from tests.conftest import USER_ID, make_settings
from tests.observability.support import value
from tests.support.journey import command_reply, texts, wait

HOME = {"type": "app_home_opened", "user": USER_ID, "channel": "D1", "tab": "home"}


def _post(client, text: str) -> None:
    client.chat_postMessage(channel=USER_ID, text=text)


def _posted(fake) -> list[str]:
    return [m["text"] for m in fake.messages(fake.dm_channel(USER_ID))]


def _connection_errors(db) -> float:
    page = metrics.render(db, SystemClock(), None)[0].decode()
    labels = dict(method="chat.postMessage", error="connection_error")
    return value(page, "voice_coach_slack_api_errors_total", **labels)


def test_calls_one_after_another_share_one_connection(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    opened = fake_slack.connections_opened
    for n in range(5):
        _post(client, f"Nudge {n}")
    assert _posted(fake_slack) == [f"Nudge {n}" for n in range(5)]
    assert fake_slack.connections_opened - opened == 1
    assert client.pool.opened == 1


def test_a_connection_slack_closed_while_idle_is_replaced_and_nothing_is_sent_twice(
    fake_slack, database_url, db
):
    client = make_client(make_settings(fake_slack, database_url))
    _post(client, "Before the idle timeout")
    fake_slack.close_connections()  # Slack's load balancer drops the idle connection
    wait(lambda: not fake_slack._open_connections)
    errors = _connection_errors(db)
    _post(client, "After it")
    assert _posted(fake_slack) == ["Before the idle timeout", "After it"]
    assert client.pool.opened == 2
    # Noticed before sending: no failed try, no retry that could post it twice.
    assert _connection_errors(db) == errors


def test_an_answer_cut_off_is_retried_once_on_a_new_connection(fake_slack, database_url, db):
    client = make_client(make_settings(fake_slack, database_url))
    _post(client, "First")
    fake_slack.fail_next("chat.postMessage", "connection_reset")
    errors = _connection_errors(db)
    _post(client, "Second")
    # The cut-off try was never recorded by Slack; the retry was, once.
    assert _posted(fake_slack) == ["First", "Second"]
    assert client.pool.opened == 2
    assert _connection_errors(db) == errors + 1


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (dict(error="ratelimited", retry_after=1), "posted"),  # 429: waits, then posts
        (dict(status=500), "posted"),  # a server error is tried again
        (dict(error="channel_not_found"), "channel_not_found"),  # Slack's refusal, as is
    ],
)
def test_slack_errors_reach_the_app_as_slack_sdk_reports_them(
    fake_slack, database_url, fault, expected
):
    client = make_client(make_settings(fake_slack, database_url))
    _post(client, "Warm-up")  # the failing call goes over a kept connection
    fake_slack.fail_next("chat.postMessage", **fault)
    if expected == "posted":
        _post(client, "Through")
        assert _posted(fake_slack) == ["Warm-up", "Through"]
    else:
        with pytest.raises(SlackApiError) as raised:
            _post(client, "Refused")
        assert raised.value.response["error"] == expected
        assert _posted(fake_slack) == ["Warm-up"]
    assert client.pool.opened == 1


def test_a_forked_process_opens_its_own_connections(fake_slack, database_url):
    client = make_client(make_settings(fake_slack, database_url))
    _post(client, "From the parent")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker forked from the master that checked the token
        code = 1
        try:
            _post(client, "From the child")
            code = 0 if client.pool.opened == 2 else 3
        finally:
            os.write(write, bytes([code]))
            os._exit(0)
    os.close(write)
    child_said = os.read(read, 1)
    os.waitpid(pid, 0)
    assert child_said == bytes([0]), "the child used the parent's connection"
    _post(client, "From the parent again")
    assert _posted(fake_slack) == ["From the parent", "From the child", "From the parent again"]
    assert client.pool.opened == 1


def test_listeners_call_slack_over_kept_connections(slack, fake_slack):
    opened = fake_slack.connections_opened
    for n in range(3):
        assert slack.event(HOME).status == 200
        fake_slack.wait_for("views.publish", count=n + 1)
    home = fake_slack.calls_to("views.publish")[-1]
    assert home["user_id"] == USER_ID and "Get started" in texts(home["view"]["blocks"])
    # Three requests, each with Bolt's client of its own, over one connection.
    assert fake_slack.connections_opened - opened == 1


def test_replies_to_a_commands_response_url_go_over_kept_connections(slack, fake_slack):
    opened = fake_slack.connections_opened
    replies = [command_reply(slack, fake_slack, "progress") for _ in range(3)]
    assert all("/voice start" in texts(r["blocks"]) for r in replies), replies[0]
    assert fake_slack.connections_opened - opened == 1


@pytest.fixture
def held_slot():
    """A slot held by this thread, as a listener process's thread holds one for its
    request (bot.slack.slots); not left held for the next test."""
    slots = CpuSlots(1)
    assert slots.take(timeout=1)
    yield slots
    slots_module._HELD.slots = None


def _starts_meanwhile(slots: CpuSlots) -> tuple[threading.Thread, list]:
    """Another request, waiting for a slot: it takes one when this thread lends it."""
    started = []

    def another_request() -> None:
        started.append(slots.take(timeout=10))
        slots.give_back()

    thread = threading.Thread(target=another_request)
    thread.start()
    return thread, started


def test_a_listener_thread_waiting_on_slack_lends_its_cpu_slot(fake_slack, database_url, held_slot):
    """In a listener process (bot.slack.slots): while Slack takes its time to answer,
    another request may start; an answer that comes at once lends nothing."""
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.latency = 1.0
    other, started = _starts_meanwhile(held_slot)
    _post(client, "Slow")
    other.join(10)
    assert started == [True]
    assert held_slot.keep() is True  # the other one is done: this one is not one too many

    fake_slack.latency = 0.0
    lent = []
    with (
        mock.patch.object(held_slot, "_lend", side_effect=lambda: lent.append(1)),
        mock.patch.object(slots_module, "QUICK", 5.0),  # however busy the machine is
    ):
        _post(client, "Quick")
    assert lent == []
    assert _posted(fake_slack) == ["Slow", "Quick"]


def test_a_listener_thread_sleeping_before_a_retry_lends_its_cpu_slot(
    fake_slack, database_url, held_slot
):
    """Slack's Retry-After is slept in the request's thread (up to 10 s): another
    request starts meanwhile, and the retried post goes out once."""
    client = make_client(make_settings(fake_slack, database_url))
    fake_slack.fail_next("chat.postMessage", "ratelimited", retry_after=1)
    other, started = _starts_meanwhile(held_slot)
    _post(client, "After the wait")
    other.join(10)
    assert started == [True]
    assert _posted(fake_slack) == ["After the wait"]
    assert held_slot.keep() is True

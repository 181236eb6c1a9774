"""Tests of FakeSocketMode with Bolt's built-in SocketModeHandler."""

import threading

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.playground.fakeslack.web_api import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode


@pytest.fixture
def socket_mode():
    with FakeSocketMode() as socket_mode:
        yield socket_mode


@pytest.fixture
def fake(socket_mode):
    with FakeSlack(socket_mode=socket_mode) as fake:
        yield fake


@pytest.fixture
def app(fake):
    return App(client=WebClient(fake.bot_token, base_url=fake.base_url))


@pytest.fixture
def connected(app, fake, socket_mode):
    handler = SocketModeHandler(app, fake.app_token)
    handler.connect()
    socket_mode.wait_connected(timeout=5)
    yield handler
    handler.close()


def test_apps_connections_open_answers_the_socket_url(fake):
    url = WebClient(base_url=fake.base_url).apps_connections_open(app_token="xapp-test")["url"]
    assert url.startswith("ws://127.0.0.1:") and "/link/?ticket=" in url


def test_slash_command_ack_payload_comes_back(app, connected, socket_mode):
    @app.command("/voice")
    def voice(ack, command):
        ack(text=f"you said {command['text']}")

    payload = {"command": "/voice", "text": "help", "user_id": "U1", "team_id": "T0TEAM"}
    ack = socket_mode.send_envelope("slash_commands", payload)
    assert ack["payload"] == {"text": "you said help"}


def test_event_is_acked_and_retry_is_visible(app, connected, socket_mode):
    seen = []
    handled = threading.Event()

    @app.event("app_home_opened")
    def home(event, request):
        seen.append((event["user"], request.headers["x-slack-retry-num"]))
        handled.set()

    event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}
    payload = {"type": "event_callback", "team_id": "T0TEAM", "event": event, "event_id": "Ev1"}
    ack = socket_mode.send_envelope("events_api", payload, retry_attempt=1, retry_reason="timeout")
    assert "payload" not in ack and ack["envelope_id"]
    assert handled.wait(5)
    assert seen == [("U1", ["1"])]

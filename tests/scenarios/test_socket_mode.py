"""With SLACK_APP_TOKEN, ``python -m bot`` serves Slack over Socket Mode, and /healthz and
/metrics (only those) over HTTP on PORT."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.conftest import APP_TOKEN, BOT_TOKEN, TEAM_ID, USER_ID
from tests.fakes.socket_mode import FakeSocketMode
from tests.observability.support import scrape, value
from tests.support.app_runner import free_port, start_process

pytestmark = pytest.mark.slow


@pytest.fixture
def socket_mode(fake_slack):
    with FakeSocketMode() as socket_mode:
        fake_slack.attach_socket_mode(socket_mode)
        yield socket_mode


def test_socket_mode_process_answers_commands_and_events(
    tmp_path, fake_slack, socket_mode, database_url
):
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
    }
    app = start_process(env, tmp_path)
    try:
        app.wait_healthy()
        socket_mode.wait_connected(timeout=15)
        command = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "channel_id": "C0GENERAL",
            "user_id": USER_ID,
            "command": "/voice",
            "text": "help",
            "api_app_id": "A0APP",
            "response_url": fake_slack.new_response_url(),
            "trigger_id": fake_slack.issue_trigger_id(),
        }
        ack = socket_mode.send_envelope("slash_commands", command, timeout=10)
        assert "`/voice start`" in str(ack["payload"]["blocks"])
        page = scrape(app.url)
        assert value(page, "voice_coach_requests_total", kind="command", status="200") == 1
        assert value(page, "voice_coach_ack_seconds_count", kind="command") == 1
        # Slack's requests come over the socket, unsigned: none may come in over HTTP.
        forged = urllib.request.Request(app.url + "/slack/events", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=5)
        assert refused.value.code == 404

        event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0MILA", "tab": "home"}
        envelope = {"type": "event_callback", "team_id": TEAM_ID, "event": event, "event_id": "Ev9"}
        socket_mode.send_envelope("events_api", envelope)
        fake_slack.wait_for("views.publish", timeout=10)
        assert fake_slack.home_view(USER_ID)["type"] == "home"
    finally:
        app.stop()
    assert "Traceback" not in app.output()
    assert APP_TOKEN not in app.output()

"""Tests of SlackRequests against a bare Bolt app served over real HTTP."""

import threading
import time
from datetime import UTC, datetime
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import time_machine
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.playground.fakeslack.slack_requests import FORM, SlackRequests, SlackWouldRefuse
from bot.playground.fakeslack.web_api import FakeSlack

SECRET = "signing-secret"
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
GOAL_MODAL = {
    **MODAL,
    "callback_id": "goal",
    "private_metadata": "7",
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "g",
            "label": {"type": "plain_text", "text": "Your goal"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ],
}


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        """Keep test output quiet."""


@pytest.fixture
def fake():
    with FakeSlack() as fake:
        fake.add_user("U1")
        yield fake


@pytest.fixture
def app(fake):
    client = WebClient(fake.bot_token, base_url=fake.base_url)
    return App(client=client, signing_secret=SECRET, token_verification_enabled=False)


@pytest.fixture
def req(app, fake):
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield SlackRequests(f"http://127.0.0.1:{server.server_port}", SECRET, fake=fake)
    server.shutdown()
    server.server_close()
    thread.join()


def test_command_carries_real_fields_and_usable_ids(app, fake, req):
    seen = {}

    @app.command("/voice")
    def voice(ack, command, client, respond):
        seen.update(command)
        client.views_open(trigger_id=command["trigger_id"], view=MODAL)
        respond("later")
        ack("got it")

    r = req.command("help", user_id="U1")
    assert (r.status, r.text) == (200, "got it")
    assert seen["text"] == "help" and seen["user_id"] == "U1" and seen["channel_id"] == "DU1"
    assert (seen["response_url"], seen["trigger_id"]) == (r.response_url, r.trigger_id)
    assert {"team_id", "team_domain", "api_app_id", "is_enterprise_install", "token"} <= set(seen)
    assert fake.response_url_posts(r.response_url)[0]["text"] == "later"
    assert len(fake.open_views()) == 1


def test_forged_and_stale_requests_get_401(app, req):
    app.command("/voice")(lambda ack: ack())
    body = b"command=%2Fvoice&text=&user_id=U1&team_id=T0TEAM"
    assert req.send_raw(body, FORM).status == 200
    assert req.send_raw(body, FORM, signature="v0=" + "0" * 64).status == 401
    assert req.send_raw(body, FORM, timestamp=int(time.time()) - 360).status == 401


def test_signs_with_a_moved_clock(app, req):
    app.command("/voice")(lambda ack: ack())
    with time_machine.travel(datetime(2025, 3, 30, 1, 30, tzinfo=UTC)):
        assert req.command(user_id="U1").status == 200


def test_block_action_from_a_message(app, fake, req):
    seen = {}

    @app.action("done")
    def done(ack, body, action):
        seen.update(body=body, action=action)
        ack()

    message = WebClient("xoxb-test", base_url=fake.base_url).chat_postMessage(
        channel="U1", text="Did you speak up?"
    )["message"]
    r = req.block_action(user_id="U1", action_id="done", value="yes", message=message)
    assert r.status == 200
    assert seen["action"]["value"] == "yes" and seen["action"]["type"] == "button"
    assert seen["body"]["container"]["message_ts"] == message["ts"]
    assert seen["body"]["channel"]["id"] == "DU1" and seen["body"]["response_url"] == r.response_url


def test_block_action_from_a_view_with_a_select(app, fake, req):
    seen = {}

    @app.action("mood")
    def mood(ack, body, action):
        seen.update(body=body, action=action)
        ack()

    view = WebClient("xoxb-test", base_url=fake.base_url).views_open(
        trigger_id=fake.issue_trigger_id(), view=MODAL
    )["view"]
    state = {"b": {"mood": {"type": "static_select", "selected_option": None}}}
    r = req.block_action(
        user_id="U1",
        action_id="mood",
        action_type="static_select",
        selected_option="calm",
        view=view,
        state_values=state,
    )
    assert r.status == 200
    assert seen["action"]["selected_option"]["value"] == "calm"
    assert seen["body"]["view"]["id"] == view["id"] and seen["body"]["view"]["state"]["values"]
    assert "response_url" not in seen["body"]


def test_view_submission_and_view_closed(app, fake, req):
    closed = []

    @app.view("goal")
    def goal(ack, view):
        value = view["state"]["values"]["g"]["text"]["value"]
        ack(response_action="errors", errors={"g": f"{value} / {view['private_metadata']}"})

    @app.view_closed("goal")
    def cancelled(ack, body):
        closed.append(body["is_cleared"])
        ack()

    WebClient("xoxb-test", base_url=fake.base_url).views_open(
        trigger_id=fake.issue_trigger_id(), view=GOAL_MODAL
    )
    values = {"g": {"text": {"type": "plain_text_input", "value": "ask one question"}}}
    r = req.view_submission(user_id="U1", callback_id="goal", values=values)
    assert r.json() == {"response_action": "errors", "errors": {"g": "ask one question / 7"}}
    assert req.view_closed(user_id="U1", callback_id="goal").status == 200
    assert closed == [False]


def test_field_errors_must_name_an_input_block_of_the_view(app, fake, req):
    @app.view("goal")
    def goal(ack):
        ack(response_action="errors", errors={"not_an_input": "Slack shows nobody this"})

    WebClient("xoxb-test", base_url=fake.base_url).views_open(
        trigger_id=fake.issue_trigger_id(), view=GOAL_MODAL
    )
    with pytest.raises(SlackWouldRefuse, match="not_an_input"):
        req.view_submission(user_id="U1", callback_id="goal", values={})
    assert [r.where for r in fake.expect_refusals()] == ["view_submission ack"]


def test_a_command_reply_slack_refuses_fails(app, fake, req):
    @app.command("/voice")
    def voice(ack):
        ack(blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], text="x")

    with pytest.raises(SlackWouldRefuse, match="/blocks/0/text"):
        req.command("help", user_id="U1")
    fake.expect_refusals()


def test_an_ack_after_3_seconds_fails(app, fake, req):
    app.command("/voice")(lambda ack: (time.sleep(3.2), ack()))
    with pytest.raises(SlackWouldRefuse, match="over 3 s"):
        req.command("help", user_id="U1")
    fake.expect_refusals()


def test_event_with_retry_headers(app, req):
    seen = []
    handled = threading.Event()

    @app.event("app_home_opened")
    def home(event, body, request):
        seen.append((event["user"], body["event_id"], request.headers["x-slack-retry-num"]))
        handled.set()

    event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}
    r = req.event(event, event_id="Ev123", retry_num=1, retry_reason="http_timeout")
    assert r.status == 200 and r.event_id == "Ev123"
    assert handled.wait(5)
    assert seen == [("U1", "Ev123", ["1"])]


def test_url_verification(req):
    assert req.url_verification("c4ll3ng3").json() == {"challenge": "c4ll3ng3"}


def test_an_update_ack_replaces_the_modal_as_slack_does(app, fake, req):
    @app.view("goal")
    def goal(ack):
        ack(response_action="update", view={**MODAL, "callback_id": "thanks"})

    opened = WebClient("xoxb-test", base_url=fake.base_url).views_open(
        trigger_id=fake.issue_trigger_id(), view=GOAL_MODAL
    )["view"]
    values = {"g": {"text": {"type": "plain_text_input", "value": "ask one question"}}}
    assert req.view_submission(user_id="U1", callback_id="goal", values=values).status == 200
    shown = fake.view(opened["id"])
    assert shown["callback_id"] == "thanks" and shown["hash"] != opened["hash"]

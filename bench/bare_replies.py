"""A second floor for bench/ack_latency.py: a Bolt app that acks and then makes the same
Slack calls Voice Coach makes for each request of the mix, with fixed payloads of about
the same size, and nothing else (no database, no rules). Voice Coach's CPU per request
over this app's is what the app itself adds; this app's over bench/bare_bolt.py's is
what answering through Slack's Web API costs with slack_sdk. Served as
``bench.bare_replies:make_app()``; bench/bare_store.py is the same app with a store.

* ``/voice progress``: the reply through the response_url;
* a button: chat.update of the message it was clicked in;
* the Home tab: views.publish of a dashboard;
* the "Log a meeting" modal: chat.postMessage (the DM about it; conversations.open the
  first time, as the app opens each DM once), then views.publish (the Home tab again).
"""

from __future__ import annotations

import os
import re

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(text: str, action_id: str) -> dict:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": "1",
    }


SUMMARY = [
    _section("*Step 2 of 6: Speak when invited*  ●●○○○○\nYou started at step 1: Be present."),
    {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": "*Wins*\n12"},
            {"type": "mrkdwn", "text": "*Streak*\n4 meetings practised"},
        ],
    },
    _section(
        "*Confidence, week by week* (latest: 70)\n`before ▃▄▄▅·▅▆▆`\n`after  ▄▅▅▆·▆▇▇`\n"
        "_8 weeks, oldest first; · is a week without meetings_"
    ),
]
PROGRESS = {
    "text": "Step 2 of 6, 12 wins",
    "blocks": [
        *SUMMARY,
        {"type": "actions", "elements": [_button("Send me a chart", "send_chart")]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Only you can see this."}]},
    ],
}
HOME = {
    "type": "home",
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Your voice, step by step"}},
        _section("*Your goal:* Speak up in the design review"),
        *SUMMARY,
        {"type": "divider"},
        _section("*Today's challenge*"),
        _section(":dart: *Answer when the facilitator asks for any thoughts*"),
        _section(":bulb: *Tip:* Have one sentence ready before the meeting starts."),
        {
            "type": "actions",
            "elements": [_button("Swap it", "swap"), _button("Smaller step", "smaller")],
        },
        {"type": "divider"},
        {
            "type": "actions",
            "elements": [
                _button("Log a meeting", "open_log"),
                _button("Send me a chart", "send_chart"),
                _button("Settings", "open_settings"),
            ],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Only you can see this."}]},
    ],
}
LOGGED = {
    "text": "Logged: you did it",
    "blocks": [
        _section(":tada: *You did it.* Answer when the facilitator asks for any thoughts."),
        _section("That's 13 wins. Next time: the same challenge, or a smaller step."),
    ],
}


class NoStore:
    """This app keeps nothing. bench/bare_store.py passes one that makes, for each
    request, the database round trips Voice Coach makes for it."""

    def progress(self, user: str) -> None: ...

    def click(self, user: str) -> None: ...

    def home(self, user: str, event_id: str) -> None: ...

    def log(self, user: str) -> None: ...


def make_app(store=None) -> SlackRequestHandler:
    """The WSGI app (gunicorn's ``bench.bare_replies:make_app()``)."""
    store = store or NoStore()
    dms: dict[str, str] = {}
    # Bolt would also read the token from the environment, and warn that the client's wins.
    token = os.environ.pop("SLACK_BOT_TOKEN")
    app = App(
        client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
    )

    @app.command("/voice")
    def voice(ack, command, respond) -> None:
        if command.get("text", "").strip() != "progress":
            ack(text="ok")
            return
        ack()
        store.progress(command["user_id"])
        respond(response_type="ephemeral", **PROGRESS)

    @app.action(re.compile(".*"))
    def click(ack, body, client: WebClient) -> None:
        ack()
        store.click(body["user"]["id"])
        container = body["container"]
        message = body["message"]
        client.chat_update(
            channel=container["channel_id"],
            ts=container["message_ts"],
            text=message["text"],
            blocks=message["blocks"],
        )

    @app.event("app_home_opened")
    def home(body, event, client: WebClient) -> None:
        store.home(event["user"], body["event_id"])
        client.views_publish(user_id=event["user"], view=HOME)

    @app.view(re.compile(".*"))
    def submitted(ack, body, client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        store.log(user)
        if user not in dms:  # opened once per person, as the app does
            dms[user] = client.conversations_open(users=user)["channel"]["id"]
        client.chat_postMessage(channel=dms[user], **LOGGED)
        client.views_publish(user_id=user, view=HOME)

    return SlackRequestHandler(app)

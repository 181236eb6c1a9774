"""The floor for bench/ack_latency.py: a Bolt app that only acks, same server, same requests."""

from __future__ import annotations

import os
import re

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

# Bolt would also read the token from the environment, and warn that the client's wins.
token = os.environ.pop("SLACK_BOT_TOKEN")
app = App(
    client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    token_verification_enabled=False,
)
app.command("/voice")(lambda ack: ack(text="ok"))
app.action(re.compile(".*"))(lambda ack: ack())
app.view(re.compile(".*"))(lambda ack: ack())
app.event("app_home_opened")(lambda: None)  # Bolt acks events itself
wsgi = SlackRequestHandler(app)

"""The floor for bench/http_latency.py: a Bolt app that only acks, same server, same requests."""

from __future__ import annotations

import os
import re

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    token_verification_enabled=False,
)
app.command("/voice")(lambda ack: ack(text="ok"))
app.action(re.compile(".*"))(lambda ack: ack())
app.view(re.compile(".*"))(lambda ack: ack())
wsgi = SlackRequestHandler(app)

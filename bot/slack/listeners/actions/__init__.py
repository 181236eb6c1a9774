from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack import ids
from bot.slack.listeners.actions import get_started


def register(app: App, services: Services) -> None:
    app.action(ids.GET_STARTED)(get_started.make_handler(services))

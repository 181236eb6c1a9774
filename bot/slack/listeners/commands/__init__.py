from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners.commands import voice


def register(app: App, services: Services) -> None:
    voice.register(app, services)

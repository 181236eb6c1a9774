"""Listeners, split by what triggers them; each package has ``register(app, services)``."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners import actions, commands, events, views


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    events.register(app, services)
    actions.register(app, services)
    views.register(app, services)

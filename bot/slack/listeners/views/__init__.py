from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack import ids
from bot.slack.listeners.views import log_attempt, onboarding, settings


def register(app: App, services: Services) -> None:
    app.view(ids.ONBOARDING_VIEW)(onboarding.make_handler(services))
    app.view(ids.LOG_VIEW)(log_attempt.make_handler(services))
    app.view(ids.SETTINGS_VIEW)(settings.make_handler(services))

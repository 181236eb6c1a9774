from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners.events import app_home_opened, app_uninstalled, tokens_revoked


def register(app: App, services: Services) -> None:
    app.event("app_home_opened")(app_home_opened.make_handler(services))
    app.event("app_uninstalled")(app_uninstalled.make_handler(services))
    app.event("tokens_revoked")(tokens_revoked.make_handler(services))

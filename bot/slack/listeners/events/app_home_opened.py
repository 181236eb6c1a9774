"""She opened the app: publish her Home tab (welcome, or her dashboard)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services import Services
from bot.slack.surfaces import publish_home


def make_handler(services: Services):
    def app_home_opened(event: dict, context, client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        publish_home(client, services, team_id=context.team_id, user_id=event["user"])

    return app_home_opened

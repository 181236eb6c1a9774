"""She opened the app: publish her Home tab."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services import Services
from bot.slack.blocks.home import build_home_welcome


def make_handler(services: Services):
    def app_home_opened(event: dict, context, client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        user_id = event["user"]
        services.home.state(team_id=context.team_id, user_id=user_id)
        client.views_publish(user_id=user_id, view=build_home_welcome())

    return app_home_opened

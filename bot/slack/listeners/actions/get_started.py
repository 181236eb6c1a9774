"""The Home tab's "Get started" button: the onboarding modal."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.listeners import modals


def make_handler(services: Services):
    def get_started(ack: Ack, body: dict, context, client: WebClient) -> None:
        ack()
        modals.open_onboarding(
            client,
            services,
            trigger_id=body["trigger_id"],
            team_id=context.team_id,
            user_id=body["user"]["id"],
        )

    return get_started

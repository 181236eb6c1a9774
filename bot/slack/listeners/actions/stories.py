"""'Share anonymously with people at my step' on her win: opens the modal."""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.celebrations import NotYours
from bot.services.coaching import NotStarted
from bot.slack.blocks.stories import build_story_share_modal
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def open_story_share(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        try:
            celebration_id = row_id(action.get("value", ""))
            challenge_do = services.stories.shared_challenge(
                team_id=context.team_id, user_id=user_id, celebration_id=celebration_id
            )
        except (ValueError, NotYours, NotStarted):
            log.warning("anonymous story share refused for %s", user_id)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=build_story_share_modal(celebration_id, challenge_do, services.stories.phrases),
        )

    return open_story_share

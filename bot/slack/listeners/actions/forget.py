"""The confirmed "Delete everything" of /voice forget-me."""

from __future__ import annotations

import logging

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack.blocks.privacy import build_forgotten
from bot.slack.surfaces import publish_home

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def forget(ack: Ack, body: dict, context, client: WebClient, respond: Respond) -> None:
        ack()
        user_id = body["user"]["id"]
        forgotten = services.privacy.forget(team_id=context.team_id, user_id=user_id)
        for channel, ts in forgotten.channel_posts:
            try:
                client.chat_delete(channel=channel, ts=ts)
            except SlackApiError as e:  # the rows are gone either way
                log.info("could not delete a shared post: %s", e.response.get("error"))
        log.info("forgot a user: %d rows deleted", forgotten.rows)
        respond(replace_original=True, **build_forgotten())
        publish_home(client, services, team_id=context.team_id, user_id=user_id)

    return forget

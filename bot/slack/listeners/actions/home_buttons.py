"""The Home tab's "Log a meeting" and "Settings" buttons."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.listeners import modals
from bot.slack.surfaces import publish_home


def make_handler(services: Services):
    def open_from_home(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        opener = modals.open_log if action["action_id"] == ids.OPEN_LOG else modals.open_settings
        try:
            opener(client, services, trigger_id=body["trigger_id"], **where)
        except NotStarted:  # an old Home tab: show the current one
            publish_home(client, services, **where)

    return open_from_home

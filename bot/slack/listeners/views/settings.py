"""The settings modal submitted."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.progress import NOT_STARTED
from bot.slack.forms import FormErrors, parse_settings
from bot.slack.sharing import channel_problem
from bot.slack.surfaces import publish_home


def make_handler(services: Services):
    def submit_settings(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        try:
            preferences = parse_settings(view.get("state", {}).get("values", {}))
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        if preferences.share_wins:
            problem = channel_problem(client, preferences.share_channel_id, body["user"]["id"])
            if problem:
                ack(response_action="errors", errors={ids.SHARE_CHANNEL: problem})
                return
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        try:
            services.preferences.update(**where, preferences=preferences)
        except NotStarted:
            ack(response_action="errors", errors={ids.PRE_MINUTES: NOT_STARTED})
            return
        ack()
        publish_home(client, services, **where)

    return submit_settings

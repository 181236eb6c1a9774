"""The check's offer DM: open the modal, or skip this round (the DM then says so and
nothing more comes until the next 4-week point)."""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.efficacy import CheckClosed
from bot.slack import ids
from bot.slack.blocks.efficacy import build_check_done, build_check_modal
from bot.slack.surfaces import update_in_place
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def check_action(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        container = body.get("container", {})
        try:
            check_id = row_id(action.get("value"))
            if action["action_id"] == ids.EFFICACY_OPEN:
                form = services.efficacy.form(**where, check_id=check_id)
                client.views_open(trigger_id=body["trigger_id"], view=build_check_modal(form))
                return
            services.efficacy.skip(**where, check_id=check_id)
        except (ValueError, CheckClosed):
            log.info("check action refused for %s", where["user_id"])
            return
        update_in_place(client, container, build_check_done(answered=False))

    return check_action

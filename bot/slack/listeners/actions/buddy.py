"""The buddy's buttons: accept, decline, step down, send encouragement."""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.buddies import BuddyError
from bot.slack import ids
from bot.slack.blocks.buddy import build_buddy_answered, build_encourage_modal, build_for_coachee
from bot.slack.sharing import best_effort_dm
from bot.slack.surfaces import update_in_place
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def buddy_button(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        clicker = body["user"]["id"]
        container = body.get("container", {})
        action_id = action["action_id"]
        try:
            buddy_id = row_id(action.get("value", ""))
            where = dict(team_id=context.team_id, buddy_user_id=clicker, buddy_id=buddy_id)
            if action_id == ids.BUDDY_ENCOURAGE:
                buddy = services.buddies.encouragement_target(**where)
                client.views_open(trigger_id=body["trigger_id"], view=build_encourage_modal(buddy))
                return
            if action_id == ids.BUDDY_STEP_DOWN:
                buddy = services.buddies.step_down(**where)
                event, reply = (
                    "stepped_down",
                    {"text": "You've stepped down. Thank you for your support."},
                )
            else:
                accept = action_id == ids.BUDDY_ACCEPT
                buddy = services.buddies.respond(**where, accept=accept)
                event, reply = (
                    ("accepted" if accept else "declined"),
                    build_buddy_answered(buddy, accept),
                )
        except (ValueError, BuddyError):
            log.info("buddy button refused for %s", clicker)
            return
        update_in_place(client, container, reply)
        best_effort_dm(client, buddy.coachee_user_id, build_for_coachee(buddy, event))

    return buddy_button

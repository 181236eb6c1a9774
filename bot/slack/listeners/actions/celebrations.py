"""Share / Edit wording / Not this time / Retry on her win, and teammates' Cheer."""

from __future__ import annotations

import logging

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.services import Services
from bot.services.celebrations import CannotShare, NotYours, OwnWin
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.celebrations import build_channel_post, build_declined, build_wording_modal
from bot.slack.sharing import post_win
from bot.slack.surfaces import update_in_place
from bot.slack.values import row_id

log = logging.getLogger(__name__)

# A burst of cheers settles in a round or two; the bound only stops a pathological loop.
SETTLE_ROUNDS = 5

GONE = "That one can't be shared any more (already shared, or sharing is off in `/voice settings`)."


def make_share_handler(services: Services):
    def answer_share(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        container = body.get("container", {})
        action_id = action["action_id"]
        try:
            celebration_id = row_id(action.get("value", ""))
            if action_id == ids.SHARE_DECLINE:
                services.celebrations.decline(**where, celebration_id=celebration_id)
                reply = build_declined()
            else:
                view = services.celebrations.for_sharing(**where, celebration_id=celebration_id)
                if action_id == ids.SHARE_EDIT:
                    client.views_open(trigger_id=body["trigger_id"], view=build_wording_modal(view))
                    return
                reply = post_win(client, services, view)
        except (ValueError, NotYours, NotStarted):
            log.warning("share button refused for %s", where["user_id"])
            return
        except CannotShare:
            reply = {"text": GONE}
        update_in_place(client, container, reply)

    return answer_share


def make_cheer_handler(services: Services):
    def cheer(ack: Ack, action: dict, body: dict, context, client: WebClient, respond: Respond):
        ack()
        cheerer = body["user"]["id"]
        try:
            view = services.celebrations.toggle_cheer(
                team_id=context.team_id,
                celebration_id=row_id(action.get("value", "")),
                cheerer=cheerer,
            )
        except OwnWin:
            respond(
                text="It's your win, so the cheering is for others to do. Enjoy it!",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        except (ValueError, NotYours):
            log.warning("cheer refused for %s", cheerer)
            return
        container = body.get("container", {})
        # Teammates' clicks run beside ours and their updates may land after it. So after each
        # update read again, until the post shows what is stored: whoever writes last has read
        # after its own write landed, so the post ends on the final count.
        for _ in range(SETTLE_ROUNDS):
            if not update_in_place(client, container, build_channel_post(view)):
                return
            latest = services.celebrations.shared_post(
                team_id=context.team_id, celebration_id=view.id
            )
            if latest.cheers == view.cheers:
                return
            view = latest

    return cheer

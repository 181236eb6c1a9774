"""Her answer to an offer of another step; the DM is updated in place, once."""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import NotStarted, StaleOffer
from bot.slack import ids
from bot.slack.blocks.challenge import build_offer_answered
from bot.slack.sharing import announce
from bot.slack.surfaces import publish_home, update_in_place
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def answer_offer(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        accept = action["action_id"] == ids.OFFER_ACCEPT
        try:
            to_step = row_id(action.get("value", ""))
        except ValueError:
            log.warning("offer button with a malformed value from %s", where["user_id"])
            return
        try:
            before = services.coaching.today(**where).step
            if accept:
                card = services.coaching.accept_offer(**where, to_step=to_step)
            else:
                card = services.coaching.decline_offer(**where, to_step=to_step)
        except (StaleOffer, NotStarted):
            # A double click, or an old message: the first answer stands.
            log.info("offer already answered by %s", where["user_id"])
            return
        answered = build_offer_answered(card, accepted=accept, moved_up=card.step > before)
        update_in_place(client, body.get("container", {}), answered)
        if accept and card.step > before:
            announce(client, services, services.celebrations.after_step_up(**where, step=card.step))
        publish_home(client, services, **where)

    return answer_offer

"""How it felt, after a meeting: stored once, then the policy may offer another step."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.checkins import CheckinClosed
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.checkins import build_checkin_state
from bot.slack.blocks.log import offer_blocks
from bot.slack.forms import FormErrors, parse_details
from bot.slack.surfaces import publish_home, send_dm, update_in_place
from bot.slack.values import row_id


def make_handler(services: Services):
    def submit_details(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        try:
            details = parse_details(view.get("state", {}).get("values", {}))
            checkin_id = row_id(view.get("private_metadata", ""))
            state, offer = services.checkins.post_details(
                **where, checkin_id=checkin_id, details=details
            )
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        except (ValueError, CheckinClosed, NotStarted):
            ack(
                response_action="errors",
                errors={ids.FELT: "This check-in is closed or already has your answer."},
            )
            return
        ack()
        checkin = services.checkins.message_of(**where, checkin_id=checkin_id)
        if checkin is not None:
            container = {"channel_id": checkin[0], "message_ts": checkin[1]}
            update_in_place(client, container, build_checkin_state(state))
        if offer is not None:
            blocks = [b.to_dict() for b in offer_blocks(offer)]
            send_dm(client, where["user_id"], {"text": "Ready for another step?", "blocks": blocks})
        publish_home(client, services, **where)

    return submit_details

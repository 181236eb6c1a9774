"""The "Settle your nerves" button in her pre-meeting DM: opens the exercise in a modal.

Whatever stops it (the offer turned off, a break, a trigger that expired while Slack
waited, any refusal of views.open), she gets one friendly line just for her, never an
error or silence.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.services.checkins import CheckinClosed
from bot.services.coaching import NotStarted
from bot.services.nerves import NervesOff, OnBreak
from bot.slack.blocks.nerves import build_nerves_modal, build_nerves_unavailable
from bot.slack.blocks.progress import build_not_started
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def first_name(client: WebClient, user_id: str) -> str | None:
    """What she is called, for the exercise that talks to her by name: her profile's first
    name, else the first word of her full name, else her display name; None if Slack
    can't tell us (the exercise then talks to her as "you")."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as e:
        log.info("users.info for %s failed: %s", user_id, e.response.get("error"))
        return None
    profile = user.get("profile") or {}
    for candidate in (
        profile.get("first_name"),
        (profile.get("real_name") or user.get("real_name") or "").split(" ")[0],
        profile.get("display_name"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None


def make_handler(services: Services):
    def open_nerves(
        ack: Ack, action: dict, body: dict, context, client: WebClient, respond: Respond
    ) -> None:
        ack()
        user_id = body["user"]["id"]

        def tell(why: str) -> None:
            respond(
                response_type="ephemeral", replace_original=False, **build_nerves_unavailable(why)
            )

        try:
            checkin_id = row_id(action.get("value"))
            offer = services.nerves.offer(
                team_id=context.team_id, user_id=user_id, checkin_id=checkin_id
            )
        except NotStarted:
            respond(response_type="ephemeral", replace_original=False, **build_not_started())
            return
        except NervesOff:
            tell("off")
            return
        except OnBreak:
            tell("paused")
            return
        except (ValueError, CheckinClosed):
            log.warning("settle-your-nerves click refused for %s", user_id)
            tell("unknown")
            return
        name = first_name(client, user_id) if offer.exercise.uses_name else None
        view = build_nerves_modal(offer.exercise, offer.why, name=name, checkin_id=checkin_id)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as e:
            # expired_trigger_id above all (Slack gives 3 s); any other refusal is logged
            # with Slack's error only, and she can simply tap again.
            log.warning("settle-your-nerves modal not opened: %s", e.response.get("error"))
            tell("slow")

    return open_nerves

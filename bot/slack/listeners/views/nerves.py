"""The settle-your-nerves modal submitted ("Done"): her answer to "Did it help?" is kept,
once per modal, and the modal thanks her and says what her answer changes."""

from __future__ import annotations

import logging

from slack_bolt import Ack

from bot.domain.nerves import Helped
from bot.services import Services
from bot.services.checkins import CheckinClosed
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.nerves import build_nerves_done
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def submit_nerves(ack: Ack, body: dict, view: dict, context) -> None:
        user_id = body["user"]["id"]
        values = view.get("state", {}).get("values", {})
        chosen = (values.get(ids.NERVES_HELPED, {}).get(ids.NERVES_HELPED) or {}).get(
            "selected_option"
        ) or {}
        checkin_id, _, exercise_id = (view.get("private_metadata") or "").partition(":")
        try:
            helped = Helped(chosen["value"]) if chosen.get("value") else None
            services.nerves.done(
                team_id=context.team_id,
                user_id=user_id,
                checkin_id=row_id(checkin_id),
                exercise_id=exercise_id,
                helped=helped,
                view_id=view.get("id") or "",
            )
        except (ValueError, CheckinClosed, NotStarted):
            log.warning("settle-your-nerves answer refused for %s", user_id)
            ack(
                response_action="errors",
                errors={ids.NERVES_HELPED: "This exercise can't be saved. Close it and try again."},
            )
            return
        ack(response_action="update", view=build_nerves_done(helped))

    return submit_nerves

"""Her if-then plan: accept today's suggestion, write her own, say whether it fired.

The plan lives in her DM only: the check-in is updated in place, nothing else is sent.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.domain.plans import PlanFired
from bot.services import Services
from bot.services.checkins import CheckinClosed
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.checkins import build_checkin_state, build_closed, build_plan_modal
from bot.slack.surfaces import update_in_place
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def plan_action(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        action_id = action["action_id"]
        container = body.get("container", {})
        checkin_id, _, rest = (action.get("value") or "").partition(":")
        try:
            checkin_id = row_id(checkin_id)
            if action_id == ids.PLAN_ACCEPT:
                state = services.checkins.make_plan(**where, checkin_id=checkin_id)
            elif action_id == ids.PLAN_WRITE:
                suggestion, current = services.checkins.plan_draft(**where, checkin_id=checkin_id)
                client.views_open(
                    trigger_id=body["trigger_id"],
                    view=build_plan_modal(checkin_id, suggestion, current),
                )
                return
            else:
                state = services.checkins.plan_fired(
                    **where, checkin_id=checkin_id, fired=PlanFired(rest)
                )
        except (ValueError, CheckinClosed, NotStarted) as e:
            why = e.why if isinstance(e, CheckinClosed) else "unknown"
            log.info("plan answer refused for %s: %s", where["user_id"], why)
            if why == "expired" and container.get("message_ts"):
                update_in_place(client, container, build_closed(why))
            return
        update_in_place(client, container, build_checkin_state(state))

    return plan_action

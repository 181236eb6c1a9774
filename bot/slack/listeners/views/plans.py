"""Her own if-then plan, typed in the modal: checked in the ack (friendly errors), then
the pre-meeting check-in is updated in place to show it."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.domain.plans import PlanProblem, clean_own_plan
from bot.services import Services
from bot.services.checkins import CheckinClosed
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.checkins import build_checkin_state
from bot.slack.surfaces import update_in_place
from bot.slack.values import row_id


def make_handler(services: Services):
    def submit_plan(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        values = view.get("state", {}).get("values", {})
        typed = (values.get(ids.PLAN_TEXT, {}).get(ids.PLAN_TEXT) or {}).get("value")
        try:
            plan = clean_own_plan(typed)
            checkin_id = row_id(view.get("private_metadata", ""))
            state = services.checkins.make_plan(**where, checkin_id=checkin_id, own=plan)
        except PlanProblem as e:
            ack(response_action="errors", errors={ids.PLAN_TEXT: str(e)})
            return
        except (ValueError, CheckinClosed, NotStarted):
            ack(
                response_action="errors",
                errors={
                    ids.PLAN_TEXT: "This meeting's check-in has closed, so the plan can't "
                    "be saved here. There's a fresh chance before your next meeting."
                },
            )
            return
        ack()
        checkin = services.checkins.message_of(**where, checkin_id=checkin_id)
        if checkin is not None:
            container = {"channel_id": checkin[0], "message_ts": checkin[1]}
            update_in_place(client, container, build_checkin_state(state))

    return submit_plan

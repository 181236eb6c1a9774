"""Answers to check-in DMs: confidence, swap, skip, how it went, how it felt.

The message is replaced in place after every answer, so it can't be answered twice;
the service refuses a second answer anyway (double clicks, retries, forged values).
"""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.domain.attempts import Outcome
from bot.services import Services
from bot.services.checkins import CheckinClosed
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.checkins import build_checkin_state, build_closed, build_details_modal
from bot.slack.forms import CONFIDENCE_CHOICES
from bot.slack.sharing import announce
from bot.slack.surfaces import update_in_place
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def _parse(value: str) -> tuple[int, str]:
    checkin_id, _, rest = (value or "").partition(":")
    return row_id(checkin_id), rest


def _confidence(text: str) -> int:
    if text not in {str(n) for n in CONFIDENCE_CHOICES}:
        raise ValueError("not a confidence on the 0–100 scale")
    return int(text)


def make_handler(services: Services):
    def answer_checkin(ack: Ack, action: dict, body: dict, context, client: WebClient) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        action_id = action["action_id"]
        container = body.get("container", {})
        raw = (action.get("selected_option") or {}).get("value") or action.get("value", "")
        try:
            checkin_id, rest = _parse(raw)
            if action_id == ids.CHECKIN_CONFIDENCE:
                state = services.checkins.pre_confidence(
                    **where, checkin_id=checkin_id, confidence=_confidence(rest)
                )
            elif action_id == ids.CHECKIN_SWAP:
                state = services.checkins.swap_challenge(**where, checkin_id=checkin_id)
            elif action_id == ids.CHECKIN_SKIP:
                state = services.checkins.skip(**where, checkin_id=checkin_id)
            elif action_id == ids.CHECKIN_DETAILS:
                state = None
                client.views_open(
                    trigger_id=body["trigger_id"],
                    view=build_details_modal(checkin_id, Outcome.DID_IT),
                )
            else:
                outcome = Outcome(rest)
                state = services.checkins.post_outcome(
                    **where, checkin_id=checkin_id, outcome=outcome
                )
                if outcome is not Outcome.DID_NOT_HAPPEN:
                    client.views_open(
                        trigger_id=body["trigger_id"], view=build_details_modal(checkin_id, outcome)
                    )
        except (ValueError, CheckinClosed, NotStarted) as e:
            why = e.why if isinstance(e, CheckinClosed) else "unknown"
            log.info("check-in answer refused for %s: %s", where["user_id"], why)
            # Only her own expired check-in is closed in place; a forged or stale click
            # about something else changes nothing anywhere.
            if why == "expired" and container.get("message_ts"):
                update_in_place(client, container, build_closed(why))
            return
        if state is not None:
            update_in_place(client, container, build_checkin_state(state))
        if action_id.startswith(ids.CHECKIN_OUTCOME) and state.outcome is Outcome.DID_IT:
            announce(
                client,
                services,
                services.celebrations.after_win(**where, attempt_id=state.attempt_id),
            )

    return answer_checkin

"""The add/edit meeting modal submitted: save it, re-plan its check-ins, confirm by DM."""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import NotStarted
from bot.services.meetings import MAX_MEETINGS, TooManyMeetings, UnknownMeeting
from bot.slack import ids
from bot.slack.blocks.meetings import build_meetings_message
from bot.slack.blocks.progress import NOT_STARTED
from bot.slack.blocks.text import escape
from bot.slack.forms import FormErrors, parse_meeting
from bot.slack.surfaces import send_dm
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def submit_meeting(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        meeting_id = view.get("private_metadata", "")
        try:
            today = services.meetings.today(**where)
        except NotStarted:
            ack(response_action="errors", errors={ids.MEETING_NAME: NOT_STARTED})
            return
        try:
            meeting = parse_meeting(view.get("state", {}).get("values", {}), today=today)
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        try:
            if meeting_id == "":
                summary = services.meetings.add(**where, meeting=meeting)
                note = f"Added *{escape(summary.name)}*. I'll check in before and after it."
            else:
                summary = services.meetings.update(
                    **where, meeting_id=row_id(meeting_id), meeting=meeting
                )
                note = f"Updated *{escape(summary.name)}*."
        except TooManyMeetings:
            ack(
                response_action="errors",
                errors={ids.MEETING_NAME: f"You can practise in up to {MAX_MEETINGS} meetings."},
            )
            return
        except (UnknownMeeting, ValueError):
            log.warning("meeting form for a meeting %s doesn't have", where["user_id"])
            ack(response_action="errors", errors={ids.MEETING_NAME: "That meeting was removed."})
            return
        ack()
        send_dm(
            client, where["user_id"], build_meetings_message(services.meetings.list(**where), note)
        )

    return submit_meeting

"""The buttons of /voice meetings: add, edit, remove."""

from __future__ import annotations

import logging

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import NotStarted
from bot.services.meetings import UnknownMeeting
from bot.slack import ids
from bot.slack.blocks.meetings import build_meeting_modal, build_meetings_message
from bot.slack.blocks.progress import build_not_started
from bot.slack.blocks.text import escape
from bot.slack.values import row_id

log = logging.getLogger(__name__)


def make_handler(services: Services):
    def meeting_button(
        ack: Ack, action: dict, body: dict, context, client: WebClient, respond: Respond
    ) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        action_id = action["action_id"]
        try:
            meeting_id = row_id(action.get("value"))
        except ValueError:
            meeting_id = None
        try:
            services.meetings.default_tz(**where)  # she must have started
        except NotStarted:
            respond(response_type="ephemeral", replace_original=False, **build_not_started())
            return
        try:
            if action_id == ids.MEETING_ADD:
                view = build_meeting_modal(
                    None, tz=services.meetings.default_tz(**where), meeting_id=None
                )
                client.views_open(trigger_id=body["trigger_id"], view=view)
            elif action_id == ids.MEETING_EDIT and meeting_id is not None:
                meeting = services.meetings.get(**where, meeting_id=meeting_id)
                view = build_meeting_modal(meeting, tz=meeting.tz, meeting_id=meeting_id)
                client.views_open(trigger_id=body["trigger_id"], view=view)
            elif action_id == ids.MEETING_REMOVE and meeting_id is not None:
                name = services.meetings.remove(**where, meeting_id=meeting_id)
                respond(
                    replace_original=True,
                    **build_meetings_message(
                        services.meetings.list(**where),
                        f"Removed *{escape(name)}*. No more check-ins for it.",
                    ),
                )
            else:
                raise UnknownMeeting()
        except UnknownMeeting:
            log.warning("meeting button for a meeting %s doesn't have", where["user_id"])
            respond(
                replace_original=True,
                **build_meetings_message(
                    services.meetings.list(**where), "That meeting isn't on your list any more."
                ),
            )

    return meeting_button

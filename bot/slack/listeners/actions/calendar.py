""" "Use another link" in her calendar's meeting list: back to the link step."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.slack import ids
from bot.slack.blocks.calendar import build_calendar_link_modal
from bot.slack.listeners import calendar


def make_handler(services: Services):
    def other_link(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        view = body.get("view")
        if not isinstance(view, dict) or view.get("callback_id") != ids.CALENDAR_PICK_VIEW:
            return  # not from her meeting list (Slack sends this button only from there)
        link_step = build_calendar_link_modal(connected=True)
        calendar.replace(client, view.get("id"), link_step, view.get("hash"))

    return other_link

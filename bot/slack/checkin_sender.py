"""Delivers check-ins for the dispatcher: renders them and sends the DM."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.dispatch import CheckinMessage, RecipientGone
from bot.slack.blocks.checkins import build_post_checkin, build_pre_checkin, build_reminder
from bot.slack.surfaces import send_dm

# Slack's answers that mean this person can't get a DM from us any more.
GONE = {"account_inactive", "user_not_found", "user_disabled", "cannot_dm_bot"}

BUILDERS = {"pre": build_pre_checkin, "post": build_post_checkin, "reminder": build_reminder}


class SlackCheckinSender:
    def __init__(self, client: WebClient):
        self._client = client

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        try:
            return send_dm(self._client, message.user_id, BUILDERS[message.kind](message))
        except SlackApiError as e:
            error = e.response.get("error", "")
            if error in GONE:
                raise RecipientGone(error) from None
            raise

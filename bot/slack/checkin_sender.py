"""Delivers check-ins for the dispatcher: renders them and sends the DM."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.buddies import BuddyService
from bot.services.dispatch import CheckinMessage, RecipientGone
from bot.slack.blocks.buddy import build_buddy_nudge
from bot.slack.blocks.checkins import build_post_checkin, build_pre_checkin, build_reminder
from bot.slack.sharing import best_effort_dm
from bot.slack.surfaces import send_dm

# Slack's answers that mean this person can't get a DM from us any more.
GONE = {"account_inactive", "user_not_found", "user_disabled", "cannot_dm_bot"}

BUILDERS = {"pre": build_pre_checkin, "post": build_post_checkin, "reminder": build_reminder}


class SlackCheckinSender:
    def __init__(self, client: WebClient, buddies: BuddyService):
        self._client = client
        self._buddies = buddies

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        try:
            sent = send_dm(self._client, message.user_id, BUILDERS[message.kind](message))
        except SlackApiError as e:
            error = e.response.get("error", "")
            if error in GONE:
                raise RecipientGone(error) from None
            raise
        if message.kind == "pre":
            self._nudge_buddy(message)
        return sent

    def _nudge_buddy(self, message: CheckinMessage) -> None:
        """Her buddy may send a word before the meeting (never told its name or her answers)."""
        buddy = self._buddies.active_buddy(team_id=message.team_id, user_id=message.user_id)
        if buddy is not None:
            nudge = build_buddy_nudge(buddy, f"{message.start_local:%H:%M}")
            best_effort_dm(self._client, buddy.buddy_user_id, nudge)

"""A buddy's word of encouragement, delivered to her DM."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.buddies import BuddyError
from bot.slack import ids
from bot.slack.blocks.buddy import MAX_ENCOURAGEMENT, build_encouragement, build_sent
from bot.slack.surfaces import send_dm
from bot.slack.values import row_id


def make_handler(services: Services):
    def submit_encouragement(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        values = view.get("state", {}).get("values", {})
        words = ((values.get(ids.ENCOURAGEMENT) or {}).get(ids.ENCOURAGEMENT) or {}).get("value")
        # Slack sends text here; a forged submission may send anything.
        words = words.strip() if isinstance(words, str) else ""
        if not words or len(words) > MAX_ENCOURAGEMENT:
            error = (
                "Please write a few words."
                if not words
                else f"Please keep it to {MAX_ENCOURAGEMENT} characters."
            )
            ack(response_action="errors", errors={ids.ENCOURAGEMENT: error})
            return
        try:
            buddy = services.buddies.encouragement_target(
                team_id=context.team_id,
                buddy_user_id=body["user"]["id"],
                buddy_id=row_id(view.get("private_metadata", "")),
            )
        except (ValueError, BuddyError):
            ack(
                response_action="errors",
                errors={ids.ENCOURAGEMENT: "You're not their buddy any more."},
            )
            return
        ack()
        send_dm(client, buddy.coachee_user_id, build_encouragement(buddy, words))
        send_dm(client, buddy.buddy_user_id, build_sent())

    return submit_encouragement

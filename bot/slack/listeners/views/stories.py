"""Her win shared anonymously as a coping story (the modal submitted)."""

from __future__ import annotations

from slack_bolt import Ack

from bot.services import Services
from bot.services.celebrations import NotYours
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.stories import build_story_shared
from bot.slack.values import row_id


def make_handler(services: Services):
    def submit_story_share(ack: Ack, body: dict, view: dict, context) -> None:
        values = view.get("state", {}).get("values", {})
        chosen = (values.get(ids.STORY_PHRASE, {}).get(ids.STORY_PHRASE) or {}).get(
            "selected_option"
        ) or {}
        try:
            services.stories.share_anonymously(
                team_id=context.team_id,
                user_id=body["user"]["id"],
                celebration_id=row_id(view.get("private_metadata", "")),
                # Only a phrase from the content is kept; anything else is dropped.
                phrase_id=chosen.get("value"),
            )
        except (ValueError, NotYours, NotStarted):
            ack(response_action="errors", errors={ids.STORY_PHRASE: "This win can't be shared."})
            return
        ack(response_action="update", view=build_story_shared())

    return submit_story_share

"""Swap the challenge, or pick a smaller or bigger step (from /voice challenge or Home)."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.blocks.challenge import build_challenge_message
from bot.slack.blocks.progress import NOT_STARTED
from bot.slack.surfaces import publish_home

NOTES = {
    ids.CHALLENGE_SWAP: "Here's another one of the same size:",
    ids.CHALLENGE_EASIER: "A smaller step. Small wins are how this works:",
    ids.CHALLENGE_HARDER: "A bigger step. Go for it:",
}


def make_handler(services: Services):
    def change_challenge(
        ack: Ack, action: dict, body: dict, context, client: WebClient, respond: Respond
    ) -> None:
        ack()
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        action_id = action["action_id"]
        try:
            if action_id == ids.CHALLENGE_SWAP:
                card = services.coaching.swap(**where)
            else:
                by = -1 if action_id == ids.CHALLENGE_EASIER else 1
                card = services.coaching.shift(**where, by=by)
        except NotStarted:
            respond(text=NOT_STARTED, response_type="ephemeral", replace_original=False)
            return
        if action.get("value") == ids.FROM_HOME:
            publish_home(client, services, **where)
        else:
            respond(replace_original=True, **build_challenge_message(card, NOTES[action_id]))

    return change_challenge

"""Her own words for a win, then the post."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.celebrations import CannotShare, NotYours
from bot.services.coaching import NotStarted
from bot.slack import ids
from bot.slack.forms import FormErrors, parse_wording
from bot.slack.sharing import post_win
from bot.slack.surfaces import send_dm
from bot.slack.values import row_id


def make_handler(services: Services):
    def submit_wording(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        try:
            wording = parse_wording(view.get("state", {}).get("values", {}))
            celebration = services.celebrations.for_sharing(
                **where, celebration_id=row_id(view.get("private_metadata", "")), wording=wording
            )
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        except (ValueError, NotYours, CannotShare, NotStarted):
            ack(response_action="errors", errors={ids.WORDING: "This win can't be shared now."})
            return
        ack()
        send_dm(client, where["user_id"], post_win(client, services, celebration))

    return submit_wording

"""A logged meeting: record it like a scheduled one, answer by DM (with any offer)."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import NotStarted
from bot.slack.blocks.log import build_logged_dm, loggable_steps
from bot.slack.blocks.progress import NOT_STARTED
from bot.slack.forms import FormErrors, parse_log
from bot.slack.sharing import announce
from bot.slack.surfaces import publish_home, send_dm


def make_handler(services: Services):
    def submit_log(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        coaching = services.coaching
        try:
            card = coaching.today(**where)
        except NotStarted:
            ack(response_action="errors", errors={"tried": NOT_STARTED})
            return
        allowed = {
            c.id
            for n in loggable_steps(coaching.ladder, card.step)
            for c in coaching.ladder.step(n).challenges
        }
        try:
            entry = parse_log(view.get("state", {}).get("values", {}), challenge_ids=allowed)
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        ack()
        recorded = coaching.record(**where, entry=entry)
        send_dm(client, where["user_id"], build_logged_dm(recorded))
        announce(client, services, list(recorded.celebrations))
        publish_home(client, services, **where)

    return submit_log

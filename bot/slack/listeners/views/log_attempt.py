"""A logged meeting: record it like a scheduled one, answer by DM (with any offer).

The form is checked in the acknowledgement (Slack shows its errors on the modal); the
meeting is recorded by the lazy listener, in a listener process of the worker
(``bot.slack.handover``), which reads the form again: it has only the request.
"""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import AttemptInput, NotStarted
from bot.slack.blocks.log import build_logged_dm, loggable_steps
from bot.slack.blocks.progress import NOT_STARTED
from bot.slack.forms import FormErrors, parse_log
from bot.slack.handover import answers_only
from bot.slack.sharing import announce
from bot.slack.surfaces import publish_home, send_dm


def make_handlers(services: Services):
    """The ack (the form's errors, if any) and the lazy listener that records it."""

    @answers_only
    def check_log(ack: Ack, body: dict, view: dict, context) -> None:
        try:
            _entry(services, context.team_id, body, view)
        except NotStarted:
            ack(response_action="errors", errors={"tried": NOT_STARTED})
            return
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        ack()

    def log_meeting(body: dict, view: dict, context, client: WebClient) -> None:
        where = dict(team_id=context.team_id, user_id=body["user"]["id"])
        try:
            entry = _entry(services, context.team_id, body, view)
        except (NotStarted, FormErrors):
            return  # the acknowledgement showed her why on the form
        recorded = services.coaching.record(**where, entry=entry)
        send_dm(client, where["user_id"], build_logged_dm(recorded))
        announce(client, services, list(recorded.celebrations))
        publish_home(client, services, **where)

    return check_log, log_meeting


def _entry(services: Services, team_id: str, body: dict, view: dict) -> AttemptInput:
    """Her form as an attempt, its challenge one of those she may log today."""
    coaching = services.coaching
    card = coaching.today(team_id=team_id, user_id=body["user"]["id"])
    allowed = {
        c.id
        for n in loggable_steps(coaching.ladder, card.step)
        for c in coaching.ladder.step(n).challenges
    }
    return parse_log(view.get("state", {}).get("values", {}), challenge_ids=allowed)

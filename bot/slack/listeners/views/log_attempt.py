"""A logged meeting: record it like a scheduled one, answer by DM (with any offer).

The form is checked in the acknowledgement (Slack shows its errors on the modal)
against what it offered her, the challenges around the step she was on when it opened
(``shown_step``), so the acknowledgement reads nothing from the database; the meeting
is recorded by the lazy listener, in a listener process of the worker
(``bot.slack.handover``), which reads the form again: it has only the request.
"""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.coaching import AttemptInput, NotStarted
from bot.slack.blocks.log import build_logged_dm, loggable_steps, shown_step
from bot.slack.blocks.progress import NOT_STARTED, build_not_started
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
        try:
            recorded = services.coaching.record(**where, entry=entry)
        except NotStarted:  # gone since the form opened (/voice forget): nothing kept
            send_dm(client, where["user_id"], build_not_started())
            return
        send_dm(client, where["user_id"], build_logged_dm(recorded))
        announce(client, services, list(recorded.celebrations))
        publish_home(client, services, **where)

    return check_log, log_meeting


def _entry(services: Services, team_id: str, body: dict, view: dict) -> AttemptInput:
    """Her form as an attempt, its challenge one of those the form offered her. Her step
    is read from her row only for a form that doesn't say which it showed (NotStarted
    if she hasn't started)."""
    coaching = services.coaching
    step = shown_step(coaching.ladder, view)
    if step is None:
        step = coaching.today(team_id=team_id, user_id=body["user"]["id"]).step
    allowed = {
        c.id
        for n in loggable_steps(coaching.ladder, step)
        for c in coaching.ladder.step(n).challenges
    }
    return parse_log(view.get("state", {}).get("values", {}), challenge_ids=allowed)

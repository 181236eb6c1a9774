"""/voice calendar's two steps submitted: the link (read it, then show her meetings) and
the meeting list (practise in what she ticked).

Each checks its input first, then gives the service a second (see
bot.slack.listeners.calendar): what it answers by then is in the acknowledgement (a
field error, the list, the modal closed); a slower answer comes after "Fetching your
calendar…" (the link) or by DM (the list).
"""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.services import Services
from bot.services.calendars import MAX_CALENDAR_MEETINGS
from bot.slack import ids
from bot.slack.blocks.calendar import (
    CONNECTED,
    build_calendar_chosen,
    build_calendar_loading,
    problem_text,
)
from bot.slack.forms import FormErrors, parse_calendar_link, parse_calendar_pick
from bot.slack.listeners import calendar
from bot.slack.profiles import ProfileEmails
from bot.slack.sharing import best_effort_dm


def make_link_handler(services: Services):
    def submit_link(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        team_id, user_id = context.team_id, body["user"]["id"]
        try:
            link = parse_calendar_link(view.get("state", {}).get("values", {}))
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        if not services.calendars.available:
            ack(
                response_action="errors",
                errors={ids.CALENDAR_URL: problem_text(calendar.UNAVAILABLE)},
            )
            return

        def connect():
            email = ProfileEmails(client).email_of(team_id, user_id)
            return services.calendars.connect(
                team_id=team_id, user_id=user_id, url=link, email=email
            )

        future, outcome = calendar.start(connect)
        if outcome is not None:
            if outcome.why is None:
                ack(response_action="update", view=calendar.screen(outcome, connected=True))
            else:
                ack(response_action="errors", errors={ids.CALENDAR_URL: problem_text(outcome.why)})
            return
        ack(response_action="update", view=build_calendar_loading())
        # Too late for a field error: a problem shows in the link step, its field empty.
        connected = view.get("private_metadata") == CONNECTED
        calendar.then(
            future,
            lambda late: calendar.replace(
                client, view.get("id"), calendar.screen(late, connected=connected)
            ),
            client=client,
            user_id=user_id,
        )

    return submit_link


def make_pick_handler(services: Services):
    def submit_pick(ack: Ack, body: dict, view: dict, context, client: WebClient) -> None:
        team_id, user_id = context.team_id, body["user"]["id"]
        try:
            keys = parse_calendar_pick(
                view.get("state", {}).get("values", {}),
                str(view.get("private_metadata") or ""),
                most=MAX_CALENDAR_MEETINGS,
            )
        except FormErrors as e:
            ack(response_action="errors", errors=e.errors)
            return
        future, outcome = calendar.start(
            lambda: services.calendars.choose(team_id=team_id, user_id=user_id, series_keys=keys)
        )
        lists = [
            b.get("block_id")
            for b in view.get("blocks", []) or []
            if isinstance(b, dict)
            and b.get("type") == "input"
            and str(b.get("block_id", "")).startswith(ids.CALENDAR_SERIES)
        ]
        if outcome is not None and outcome.why is not None and lists:
            ack(response_action="errors", errors={lists[0]: problem_text(outcome.why)})
            return
        ack()

        def confirm(done: calendar.Outcome) -> None:
            if done.why is None:
                best_effort_dm(client, user_id, build_calendar_chosen(list(done.value)))
            else:
                best_effort_dm(client, user_id, {"text": f":calendar: {problem_text(done.why)}"})

        if outcome is not None:
            confirm(outcome)
        else:
            calendar.then(future, confirm, client=client, user_id=user_id)

    return submit_pick

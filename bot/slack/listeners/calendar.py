"""What /voice calendar's command, modals and button share: reading her calendar off the
request's thread, and showing what came of it.

Reading a link can take seconds (the service allows 10 s a request and 3 redirects),
while Slack wants its acknowledgement within 3 s and a trigger id lasts 3 s. So the work
runs in ``WORK`` and the listener waits ``WAIT_SECONDS`` for it. An answer by then goes
into the acknowledgement itself (a field error, or the meeting list), or into the modal
as it opens. A slower one gets "Fetching your calendar…" at once, and the listener
returns (its thread is needed for other requests' acknowledgements): the answer goes
out by ``views.update`` from the work's own thread when it comes, well after Slack
applied the acknowledgement (an update racing it could otherwise be overwritten).

The link is a password: it is never logged, not even inside an exception's message
(an HTTP library's error may quote the URL): a failure is logged by its type and where
it happened.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.services.calendars import CalendarChoice, CalendarProblem, CalendarUnavailable
from bot.services.coaching import NotStarted
from bot.slack.blocks.calendar import (
    build_calendar_link_modal,
    build_calendar_loading,
    build_calendar_pick_modal,
    problem_text,
)
from bot.slack.profiles import ProfileEmails
from bot.slack.refusals import refusal_of
from bot.slack.sharing import best_effort_dm

log = logging.getLogger(__name__)

WAIT_SECONDS = 1.0
# Fetches in flight at once per process; more wait their turn (behind "Fetching…").
WORK = ThreadPoolExecutor(8, thread_name_prefix="calendar")

# Reasons beside CalendarProblem.why, for what went wrong around the fetch.
UNAVAILABLE, NOT_STARTED, FAILED = "unavailable", "not_started", "failed"


@dataclass(frozen=True)
class Outcome:
    value: Any = None  # what the service answered
    why: str | None = None  # or why it couldn't


def _log_failure(error: Exception) -> None:
    refused = refusal_of(error)
    if refused is not None:
        log.error("calendar: Slack %s", refused)
    else:  # without the message: it may quote the link
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("calendar work failed: %s\n%s", type(error).__name__, frames.rstrip())


def _run(work: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(value=work())
    except CalendarProblem as problem:
        return Outcome(why=problem.why)
    except CalendarUnavailable:
        return Outcome(why=UNAVAILABLE)
    except NotStarted:
        return Outcome(why=NOT_STARTED)
    except Exception as error:
        _log_failure(error)
        return Outcome(why=FAILED)


def start(work: Callable[[], Any]) -> tuple[Future, Outcome | None]:
    """Starts ``work``; its outcome if it is done within WAIT_SECONDS, else None."""
    future = WORK.submit(_run, work)
    try:
        return future, future.result(timeout=WAIT_SECONDS)
    except TimeoutError:
        return future, None


def then(future: Future, finish: Callable[[Outcome], None], *, client: WebClient, user_id: str):
    """Calls ``finish`` with the work's outcome when it is done, on the work's thread; if
    that fails, she gets a short apology by DM (the failure is logged)."""

    def done(finished: Future) -> None:
        try:
            finish(finished.result())
        except Exception as error:
            _log_failure(error)
            best_effort_dm(client, user_id, {"text": problem_text(FAILED)})

    future.add_done_callback(done)


def screen(outcome: Outcome, *, connected: bool) -> dict:
    """The modal for what reading her calendar gave: her meetings, or the link step
    (with what went wrong, if anything did)."""
    if isinstance(outcome.value, CalendarChoice):
        return build_calendar_pick_modal(outcome.value)
    return build_calendar_link_modal(outcome.why, connected=connected)


def _reopened(outcome: Outcome) -> dict:
    # Nothing and no problem: no calendar is connected. A problem: hers can't be read now.
    return screen(outcome, connected=outcome.why is not None)


def replace(client: WebClient, view_id: str | None, view: dict, view_hash: str | None = None):
    """Shows ``view`` in place of an open modal; she may have closed it meanwhile."""
    if not view_id:
        return
    try:
        client.views_update(view_id=view_id, hash=view_hash, view=view)
    except SlackApiError as e:
        if refusal_of(e) is not None:
            raise
        log.info("calendar modal not updated: %s", e.response.get("error"))


def open_calendar(
    client: WebClient, services: Services, *, trigger_id: str, team_id: str, user_id: str
) -> None:
    """/voice calendar: her meetings with her ticks if a calendar is connected, else the
    link step; "Fetching your calendar…" first if reading it takes a while."""

    def reopen():
        email = ProfileEmails(client).email_of(team_id, user_id)
        return services.calendars.reopen(team_id=team_id, user_id=user_id, email=email)

    future, outcome = start(reopen)
    if outcome is not None:
        client.views_open(trigger_id=trigger_id, view=_reopened(outcome))
        return
    opened = client.views_open(trigger_id=trigger_id, view=build_calendar_loading())["view"]
    then(
        future,
        lambda outcome: replace(client, opened["id"], _reopened(outcome), opened.get("hash")),
        client=client,
        user_id=user_id,
    )

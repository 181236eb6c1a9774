"""The jobs every app process runs: send due check-ins, plan further ahead, sync the
calendars that are due and tell whoever's calendar has failed for a day.

APScheduler only triggers them; what is due lives in the database, so any number
of processes can run these jobs side by side (see bot.services.dispatch).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk.errors import SlackApiError

from bot.bootstrap import Container, build_dispatcher
from bot.services.planner import extend_horizons
from bot.slack.blocks.calendar import build_calendar_failing
from bot.slack.blocks.efficacy import build_check_offer
from bot.slack.profiles import ProfileEmails
from bot.slack.refusals import log_failure
from bot.slack.sharing import TokenFor, best_effort_dm, deliver_cheers, post_roundups
from bot.slack.surfaces import send_dm
from bot.slack.tokens import WorkspaceTokens
from bot.slack.transport import retry_after_of

log = logging.getLogger(__name__)

TICK_SECONDS = 1
PLAN_MINUTES = 10
CHEERS_SECONDS = 20
ROUNDUP_MINUTES = 5
PURGE_HOURS = 6
# Due calendars are looked for this often; each is due every 20 minutes (and about 20
# minutes before a pre-meeting check-in), so a sync is at most this late.
CALENDAR_SYNC_SECONDS = 30
CALENDAR_FAILING_MINUTES = 10
# Self-efficacy checks that have come (every 4 weeks of hers) are looked for this often.
# Each run sends what the workspace's bucket holds (50 at 600 a minute), so a workspace
# of 10,000 who started the same day is served in under 4 hours.
EFFICACY_MINUTES = 1


def start_scheduler(container: Container) -> BackgroundScheduler:
    dispatcher = build_dispatcher(container)
    token_for = workspace_token_for(container)
    scheduler = BackgroundScheduler(
        timezone="UTC",
        # A late run is still wanted (the rows decide what is useful), but never two at once.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(_guard(dispatcher.tick), "interval", seconds=TICK_SECONDS, id="dispatch")
    scheduler.add_job(
        _guard(lambda: extend_horizons(container.db, container.clock)),
        "interval",
        minutes=PLAN_MINUTES,
        id="plan",
        next_run_time=_at_once(),
    )
    scheduler.add_job(
        _guard(lambda: deliver_cheers(container.client, container.services, token_for=token_for)),
        "interval",
        seconds=CHEERS_SECONDS,
        id="cheers",
    )
    scheduler.add_job(
        _guard(lambda: post_roundups(container.client, container.services, token_for=token_for)),
        "interval",
        minutes=ROUNDUP_MINUTES,
        id="roundups",
    )
    scheduler.add_job(
        _guard(container.services.workspaces.purge_uninstalled),
        "interval",
        hours=PURGE_HOURS,
        id="purge",
        next_run_time=_at_once(),
    )
    calendar_owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:64]
    emails = ProfileEmails(container.client, token_for=token_for)
    scheduler.add_job(
        _guard(
            lambda: container.services.calendars.sync_due(
                owner=calendar_owner, email_of=emails.email_of
            )
        ),
        "interval",
        seconds=CALENDAR_SYNC_SECONDS,
        id="calendars",
    )
    scheduler.add_job(
        _guard(lambda: tell_failing_calendars(container)),
        "interval",
        minutes=CALENDAR_FAILING_MINUTES,
        id="calendars_failing",
    )
    scheduler.add_job(
        _guard(lambda: offer_efficacy_checks(container)),
        "interval",
        minutes=EFFICACY_MINUTES,
        id="efficacy_checks",
    )
    scheduler.start()
    log.info("check-in scheduler started (%s)", dispatcher.owner)
    return scheduler


def workspace_token_for(container: Container) -> TokenFor | None:
    """With many workspaces, the jobs' calls each name their workspace's token; with one,
    they use the client's."""
    tokens = getattr(container, "tokens", None)
    if not isinstance(tokens, WorkspaceTokens):
        return None
    return lambda team_id: tokens.bot_token(team_id=team_id)


def tell_failing_calendars(container: Container) -> int:
    """DM each person whose calendar has failed for a day (once per run of failures)."""
    token_for = workspace_token_for(container)
    notices = container.services.calendars.failing_for_a_day()
    for notice in notices:
        token = token_for(notice.team_id) if token_for is not None else None
        if token_for is not None and token is None:
            continue  # uninstalled or revoked
        best_effort_dm(
            container.client, notice.user_id, build_calendar_failing(notice), token=token
        )
    return len(notices)


def offer_efficacy_checks(container: Container) -> int:
    """DM each person whose 4-week self-efficacy check has come: one DM per round
    across processes (the round's row is claimed first), never a reminder, paced by her
    workspace's sending budget; a DM Slack refuses is not retried, one it asks us to
    wait for is sent on a later run. Returns how many were sent."""
    token_for = workspace_token_for(container)
    efficacy = container.services.efficacy
    offers = efficacy.claim_due(per_minute=container.settings.slack_messages_per_minute)
    sent_count = 0
    waiting: dict[str, float] = {}  # workspaces Slack asked to wait, for how long
    for offer in offers:
        if offer.team_id in waiting:
            efficacy.held_back(offer, retry_after=waiting[offer.team_id])
            continue
        token = token_for(offer.team_id) if token_for is not None else None
        sent = (None, None)
        if token_for is None or token is not None:
            try:
                sent = send_dm(
                    container.client, offer.user_id, build_check_offer(offer), token=token
                )
            except SlackApiError as e:
                if e.response.status_code == 429:  # not hers to lose: a later run sends it
                    waiting[offer.team_id] = retry_after_of(e.response.headers)
                    efficacy.held_back(offer, retry_after=waiting[offer.team_id])
                    continue
                log_failure(log, f"check offer to {offer.user_id} failed", e)
        efficacy.offered(offer, channel_id=sent[0], ts=sent[1])
        sent_count += sent[1] is not None
    return sent_count


def _guard(job):
    def run():
        try:
            job()
        except Exception:  # the next tick tries again; the database keeps what is due
            log.exception("scheduled job failed")

    return run


def _at_once() -> datetime:
    # APScheduler counts in real time; the app's clock may start elsewhere and run faster
    # (CLOCK_START/CLOCK_SPEED, for benchmarks), which would put "now" hours away.
    return datetime.now(UTC)

"""Sending due check-ins, exactly once, from any number of processes.

Each tick claims due rows with a lease (storage.checkins.claim_due), sends them
with bounded concurrency, and records the Slack channel and ts. A row whose
sender died keeps its lease until it expires; then any process takes it over.
The only possible duplicate is a message Slack accepted from a process that
died before recording it: at most one per row in flight when it died, and only
once its lease (60 s) has run out.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError

from bot.clock import Clock
from bot.domain.schedule import reminder_time
from bot.models import Checkin, CheckinKind, CheckinStatus, Coachee, Meeting
from bot.services.coaching import ChallengeCard, CoachingService
from bot.services.planner import OPEN_ENDED, is_paused
from bot.storage import checkins, workspaces
from bot.storage.db import Database

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 8


@dataclass(frozen=True)
class CheckinMessage:
    checkin_id: int
    kind: str  # pre | post | reminder
    team_id: str
    user_id: str
    meeting_name: str
    start_local: datetime
    end_local: datetime
    card: ChallengeCard
    answer_until_local: datetime


class RecipientGone(Exception):
    """Slack says the person can't receive DMs any more (deactivated, deleted)."""


class CheckinSender(Protocol):
    def send(self, message: CheckinMessage) -> tuple[str, str]:
        """Deliver; returns (channel, ts). Raises RecipientGone, or anything for a retry."""
        ...


class Dispatcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        coaching: CoachingService,
        sender: CheckinSender,
        *,
        owner: str,
        batch: int = 32,
        concurrency: int = 8,
    ):
        self._db = db
        self._clock = clock
        self._coaching = coaching
        self._sender = sender
        self.owner = owner
        self._batch = batch
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="dispatch")

    def tick(self, *, budget_seconds: float = 20.0) -> int:
        """Send what is due now, a batch at a time; returns how many were delivered.

        Batches are small so that no claimed row waits long in the queue, and the
        tick keeps claiming while batches come back full (a burst at :45), within
        a time budget so that the next tick starts on time.
        """
        started = time.monotonic()
        delivered = 0
        while True:
            try:
                claimed, sent = self._one_batch()
            except DBAPIError as e:
                if not e.connection_invalidated:
                    raise
                # The database restarted or dropped us: the pool reconnects next time.
                log.warning("database connection lost during dispatch; the next tick retries")
                return delivered
            delivered += sent
            if claimed < self._batch or time.monotonic() - started > budget_seconds:
                return delivered

    def _one_batch(self) -> tuple[int, int]:
        now = self._clock.now()
        with self._db.session() as session:
            ids = checkins.claim_due(session, now=now, owner=self.owner, limit=self._batch)
        if not ids:
            return 0, 0
        messages = [m for m in (self._safely_prepare(i, now) for i in ids) if m is not None]
        results = self._pool.map(self._deliver, messages)
        return len(ids), sum(1 for delivered in results if delivered)

    def _safely_prepare(self, checkin_id: int, now: datetime) -> CheckinMessage | None:
        """One bad row must not hold up the others: it is retried after a short wait."""
        try:
            return self._prepare(checkin_id, now)
        except Exception as e:
            log.exception("check-in %s could not be prepared", checkin_id)
            self._retry_later_by_id(checkin_id, e)
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _prepare(self, checkin_id: int, now: datetime) -> CheckinMessage | None:
        with self._db.session() as session:
            checkin = checkins.get_checkin(session, checkin_id=checkin_id)
            if checkin is None or not checkins.holds_lease(checkin, owner=self.owner, now=now):
                return None
            coachee = session.get(Coachee, checkin.coachee_id)
            meeting = session.get(Meeting, checkin.meeting_id) if checkin.meeting_id else None
            workspace = workspaces.get_workspace(session, team_id=checkin.team_id)
            if now >= checkin.send_until:
                return self._finish(checkin, CheckinStatus.EXPIRED, "no longer useful")
            gone = workspace is not None and workspace.uninstalled_at is not None
            if gone or meeting is None or not meeting.active or is_paused(coachee, now):
                return self._finish(checkin, CheckinStatus.CANCELLED, "not wanted any more")
            card = self._coaching.card_of(coachee)
            checkin.challenge_id = checkin.challenge_id or card.challenge.id
            tz = ZoneInfo(meeting.tz)
            start = checkin.occurrence_start.astimezone(tz)
            return CheckinMessage(
                checkin_id=checkin.id,
                kind=checkin.kind,
                team_id=checkin.team_id,
                user_id=coachee.slack_user_id,
                meeting_name=meeting.name,
                start_local=start,
                end_local=start + timedelta(minutes=meeting.duration_minutes),
                card=card,
                answer_until_local=checkin.expires_at.astimezone(ZoneInfo(coachee.tz)),
            )

    def _finish(self, checkin: Checkin, status: str, why: str) -> None:
        checkin.status = status
        checkin.lease_owner = checkin.lease_until = None
        log.info("check-in %s %s: %s", checkin.id, status, why)
        return None

    def _deliver(self, message: CheckinMessage) -> bool:
        # The lease is renewed (or found lost) right before the send, so a row that
        # waited in the queue is never sent by two processes.
        with self._db.session() as session:
            if not checkins.renew_lease(
                session, checkin_id=message.checkin_id, owner=self.owner, now=self._clock.now()
            ):
                log.info("check-in %s: lease lost before sending; skipped", message.checkin_id)
                return False
        try:
            channel, ts = self._sender.send(message)
        except RecipientGone as e:
            self._recipient_gone(message, str(e))
            return False
        except Exception as e:  # anything else is worth another try later
            self._retry_later_by_id(message.checkin_id, e)
            return False
        for attempt in (1, 2):  # a dropped connection is retried once, on a fresh one
            try:
                self._record_sent(message, channel, ts)
                break
            except DBAPIError as e:
                if attempt == 2 or not e.connection_invalidated:
                    # Delivered but not recorded: the only way a check-in can go twice.
                    log.exception("check-in %s was sent but not recorded", message.checkin_id)
        return True

    def _record_sent(self, message: CheckinMessage, channel: str, ts: str) -> None:
        now = self._clock.now()
        with self._db.session() as session:
            checkin = checkins.get_checkin(session, checkin_id=message.checkin_id)
            if checkin is None:  # she asked to be forgotten meanwhile
                return
            checkin.status = CheckinStatus.SENT
            checkin.channel_id, checkin.message_ts, checkin.sent_at = channel, ts, now
            checkin.lease_owner = checkin.lease_until = None
            if checkin.kind == CheckinKind.POST:
                self._plan_reminder(session, checkin, now)

    def _plan_reminder(self, session, post: Checkin, now: datetime) -> None:
        coachee = session.get(Coachee, post.coachee_id)
        due = reminder_time(
            now,
            reminder_minutes=coachee.reminder_minutes,
            tz=ZoneInfo(coachee.tz),
            work_start=coachee.working_hours_start,
            work_end=coachee.working_hours_end,
            answer_until=post.expires_at,
        )
        if due is None:
            return
        checkins.upsert_planned(
            session,
            [
                dict(
                    team_id=post.team_id,
                    coachee_id=post.coachee_id,
                    meeting_id=post.meeting_id,
                    occurrence_start=post.occurrence_start,
                    kind=CheckinKind.REMINDER,
                    due_at=due,
                    send_until=post.expires_at,
                    expires_at=post.expires_at,
                    status=CheckinStatus.PENDING,
                    send_attempts=0,
                    created_at=now,
                )
            ],
        )

    def _recipient_gone(self, message: CheckinMessage, error: str) -> None:
        with self._db.session() as session:
            checkin = checkins.get_checkin(session, checkin_id=message.checkin_id)
            if checkin is None:
                return
            self._finish(checkin, CheckinStatus.FAILED, error)
            checkin.last_error = error[:255]
            coachee = session.get(Coachee, checkin.coachee_id)
            coachee.paused_until = OPEN_ENDED
            checkins.cancel_pending(session, coachee_id=coachee.id)
        log.warning("paused %s: Slack can't reach them (%s)", message.user_id, error)

    def _retry_later_by_id(self, checkin_id: int, error: Exception) -> None:
        now = self._clock.now()
        with self._db.session() as session:
            checkin = checkins.get_checkin(session, checkin_id=checkin_id)
            if checkin is None:
                return
            checkin.last_error = f"{error.__class__.__name__}: {error}"[:255]
            if checkin.send_attempts >= MAX_SEND_ATTEMPTS:
                self._finish(checkin, CheckinStatus.FAILED, "gave up after repeated errors")
                return
            # Keep the lease a little longer: that is the back-off before the next try.
            checkin.lease_until = now + timedelta(seconds=min(600, 15 * 2**checkin.send_attempts))
        log.warning("check-in %s not sent, will retry: %s", checkin_id, error)

"""Sending due check-ins, exactly once, from any number of processes.

Each tick claims due rows with a lease (storage.checkins.claim_due), prepares a
batch in one transaction, and keeps a pool of senders busy: the next batch is
claimed while the last sends of this one are still in flight. Each send renews
the lease first, then records the Slack channel and ts. A row whose sender died
keeps its lease until it expires; then any process takes it over. The only
possible duplicate is a message Slack accepted from a process that died before
recording it: at most one per row in flight when it died, and only once its lease
(60 s) has run out.

Slack's limits are shared: a ``ratelimited`` answer blocks the workspace for every
process (storage.ratelimits), and claims are paced by the workspace's budget. All
of it is per workspace, and claims are fair between workspaces, so one workspace's
burst, budget or missing token never holds up another's check-ins. Within a process,
posts to one DM take turns a second apart (domain.pacing), so two meetings in one
slot of her calendar don't earn the workspace a 429: the second waits for its turn
apart from the senders, which go on with everyone else's.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from bot.clock import Clock, after
from bot.domain.pacing import DmTurns
from bot.domain.schedule import reminder_time
from bot.domain.stories import Story, StorySlot, slot_of
from bot.models import Checkin, CheckinKind, CheckinStatus, Coachee, Meeting, Workspace
from bot.observability import metrics
from bot.services.buddies import Buddyship, active_buddies
from bot.services.coaching import ChallengeCard, CoachingService
from bot.services.planner import OPEN_ENDED, is_paused
from bot.storage import checkins, ratelimits, workspaces
from bot.storage.db import Database, rows_by_id

if TYPE_CHECKING:
    from bot.services.stories import StoryService

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 8
DEFAULT_CONCURRENCY = 8
# How long a workspace without a working token is left alone before its token is
# looked up again (by the next claim of one of its check-ins).
UNREACHABLE_HOLD = timedelta(seconds=60)


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
    coachee_id: int | None = None
    channel: str | None = None  # her DM, when already known
    buddy: Buddyship | None = None  # who may cheer her on before the meeting
    enterprise_id: str | None = None  # her workspace's org (Enterprise Grid), if any
    # Her coping story when one is due (on, none yet this week) and its slot of the week:
    # picked while preparing, shown only if the slot is claimed with the lease renewed
    # right before sending (checkins.hand_over).
    story_slot: StorySlot | None = None
    story: Story | None = None
    nerves: bool = False  # offer "Settle your nerves" (a pre check-in, her setting on)


class RecipientGone(Exception):
    """Slack says the person can't receive DMs any more (deactivated, deleted)."""


class Refused(Exception):
    """Slack refused the payload itself (invalid_blocks, no_text, ...): a bug in what was
    built, which no retry can fix. ``pointers`` are the JSON pointers Slack named, the
    only part of its answer safe to log (never the payload: her words are in it)."""

    def __init__(self, method: str, error: str, pointers: tuple[str, ...] = ()):
        where = f" at {', '.join(pointers)}" if pointers else ""
        super().__init__(f"{method} refused: {error}{where}")
        self.method = method
        self.error = error
        self.pointers = pointers


class RateLimited(Exception):
    """Slack said ``ratelimited``: nobody should send for ``retry_after`` seconds."""

    def __init__(self, retry_after: float):
        super().__init__(f"ratelimited for {retry_after:g} s")
        self.retry_after = retry_after


class WorkspaceUnreachable(Exception):
    """Her workspace has no working bot token now (uninstalled, revoked, not found):
    nothing can be sent there, and her check-in waits, as in a paused workspace."""


class CheckinSender(Protocol):
    def send(self, message: CheckinMessage) -> tuple[str, str]:
        """Deliver; returns (channel, ts). Raises RecipientGone, Refused, RateLimited,
        WorkspaceUnreachable, or anything else for a retry."""
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
        concurrency: int = DEFAULT_CONCURRENCY,
        per_minute: int | None = None,
        stories: StoryService | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        pause: Callable[[float], None] = time.sleep,
    ):
        self._db = db
        self._clock = clock
        self._coaching = coaching
        self._sender = sender
        self._stories = stories
        self.owner = owner
        self._batch = batch
        self._concurrency = concurrency
        self._per_minute = per_minute
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="dispatch")
        # Slack's per-channel limit is in real seconds, whatever the app's clock says.
        self._turns = DmTurns()
        self._turns_lock = threading.Lock()
        # Messages waiting for their DM's turn: (when it may come, order, message).
        self._later: list[tuple[float, int, CheckinMessage]] = []
        self._queued = itertools.count()
        self._monotonic = monotonic
        self._pause = pause

    def tick(self, *, budget_seconds: float = 20.0) -> int:
        """Send what is due now, a batch at a time; returns how many were delivered.

        Batches are small so that no claimed row waits long in the queue, and the
        tick keeps claiming while batches come back full (a burst at :45), within
        a time budget so that the next tick starts on time.
        """
        started = time.monotonic()
        in_flight: set[Future] = set()
        delivered = 0
        try:
            while True:
                try:
                    claimed = self._claim()
                    messages = self._prepare_all(claimed, self._clock.now())
                except DBAPIError as e:
                    if not e.connection_invalidated:
                        raise
                    # The database restarted or dropped us: the pool reconnects next time.
                    log.warning("database connection lost during dispatch; the next tick retries")
                    break
                in_flight |= self._share_out(self._turns_come() + messages)
                # Claim again once only the sends in progress are left, so the senders
                # never sit idle while the next batch is claimed and prepared.
                while len(in_flight) > self._concurrency:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    delivered += sum(f.result() for f in done)
                if len(claimed) < self._batch or time.monotonic() - started > budget_seconds:
                    break
            delivered += self._finish_sends(in_flight)
            in_flight = set()
        finally:
            done, _ = wait(in_flight)
            delivered += sum(f.result() for f in done)
        return delivered

    def _share_out(self, messages: list[CheckinMessage]) -> set[Future]:
        # One sequence per sender: the batch is shared out round-robin.
        chunks = [messages[i :: self._concurrency] for i in range(self._concurrency)]
        return {self._pool.submit(self._deliver_all, c) for c in chunks if c}

    def _finish_sends(self, in_flight: set[Future]) -> int:
        """Wait for the sends in progress, and send those that waited for their DM's
        turn as it comes (a second after the last post there); returns how many went."""
        delivered = 0
        while True:
            in_flight = in_flight | self._share_out(self._turns_come())
            next_turn = self._next_turn()
            if not in_flight and next_turn is None:
                return delivered
            timeout = None if next_turn is None else max(0.0, next_turn - self._monotonic())
            if in_flight:
                done, in_flight = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                delivered += sum(f.result() for f in done)
            elif timeout:
                self._pause(timeout)

    def _claim(self) -> list[int]:
        with self._db.session() as session:
            return checkins.claim_due(
                session,
                now=self._clock.now(),
                owner=self.owner,
                limit=self._batch,
                per_minute=self._per_minute,
            )

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _prepare(self, checkin_id: int, now: datetime) -> CheckinMessage | None:
        prepared = self._prepare_all([checkin_id], now)
        return prepared[0] if prepared else None

    def _prepare_all(self, ids: list[int], now: datetime) -> list[CheckinMessage]:
        """Everything the messages need, read in one transaction.

        One bad row must not hold up the others: it is retried after a short wait.
        """
        if not ids:
            return []
        messages, failed = [], []
        with self._db.session() as session:
            # Plain rows: the batch is only read, and loading it as ORM objects cost a
            # tenth of a check-in's CPU (bench/dispatch.py's profile).
            rows = rows_by_id(session, Checkin, ids)
            coachees = rows_by_id(session, Coachee, {c.coachee_id for c in rows.values()})
            meetings = rows_by_id(
                session, Meeting, {c.meeting_id for c in rows.values() if c.meeting_id}
            )
            teams = workspaces.workspaces_of(session, team_ids={c.team_id for c in rows.values()})
            pre = [coachees[c.coachee_id] for c in rows.values() if c.kind == CheckinKind.PRE]
            buddies = active_buddies(session, pre, ladder=self._coaching.ladder)
            for checkin in (rows[i] for i in ids if i in rows):
                coachee = coachees[checkin.coachee_id]
                meeting = meetings.get(checkin.meeting_id)
                try:
                    buddy = buddies.get(coachee.id)
                    workspace = teams[checkin.team_id]
                    message = self._message(
                        session, checkin, coachee, meeting, buddy, workspace, now
                    )
                except Exception as e:
                    log.exception("check-in %s could not be prepared", checkin.id)
                    failed.append((checkin.id, e))
                    continue
                if message is not None:
                    messages.append(message)
        for checkin_id, error in failed:
            self._retry_later_by_id(checkin_id, error)
        return [self._with_story(m) for m in messages]

    def _message(
        self,
        session,
        checkin: sa.Row,
        coachee: sa.Row,
        meeting: sa.Row | None,
        buddy: Buddyship | None,
        workspace: Workspace | None,
        now: datetime,
    ) -> CheckinMessage | None:
        if not checkins.holds_lease(checkin, owner=self.owner, now=now):
            return None
        if now >= checkin.send_until:
            metrics.CHECKINS_LAPSED.inc()
            return self._drop(session, checkin, CheckinStatus.EXPIRED, "no longer useful")
        uninstalled = workspace is not None and workspace.uninstalled_at is not None
        if uninstalled or meeting is None or not meeting.active or is_paused(coachee, now):
            return self._drop(session, checkin, CheckinStatus.CANCELLED, "not wanted any more")
        card = self._coaching.card_of(coachee)
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
            coachee_id=coachee.id,
            channel=coachee.dm_channel_id,
            buddy=buddy if checkin.kind == CheckinKind.PRE else None,
            enterprise_id=workspace.enterprise_id if workspace is not None else None,
            story_slot=slot_of(coachee, now) if checkin.kind == CheckinKind.PRE else None,
            nerves=checkin.kind == CheckinKind.PRE and coachee.nerves_on,
        )

    def _drop(self, session, checkin: sa.Row, status: str, why: str) -> None:
        """Close a claimed row that is not to be sent."""
        checkins.close_leased(session, checkin_id=checkin.id, owner=self.owner, status=status)
        log.info("check-in %s %s: %s", checkin.id, status, why)

    def _deliver(self, message: CheckinMessage) -> bool:
        return self._finish_sends(self._share_out([message])) == 1

    def _deliver_all(self, messages: list[CheckinMessage]) -> int:
        """Send these one after another; returns how many went out. Never raises: a
        failure leaves the row for a later try.

        Recording one send and renewing the next lease are one hand-over (one statement
        on PostgreSQL), so a check-in costs one database round of its own, not two.
        """
        delivered = 0
        sent: tuple[CheckinMessage, str, str] | None = None
        for message in messages:
            dm = (message.team_id, message.user_id)
            if (wait := self._take_turn(dm)) > 0:
                self._wait_for_turn(message, wait)
                continue
            ready = None
            try:
                ready = self._record_then_renew(sent, message)
                sent = None
                if ready is not None:
                    sent = self._send(ready)
                    delivered += sent is not None
            finally:
                self._give_back_turn(dm, sent=ready is not None)
        if sent is not None:
            self._record_then_renew(sent, None)
        return delivered

    def _take_turn(self, dm: tuple[str, str]) -> float:
        """0 when this sender may post to ``dm`` now (two meetings in one slot of her
        calendar must not make two posts at once: Slack would refuse the second with
        429, holding back her whole workspace); else how long to wait first."""
        with self._turns_lock:
            return self._turns.take(dm, self._monotonic())

    def _wait_for_turn(self, message: CheckinMessage, wait: float) -> None:
        """Hers waits for her DM's turn apart from the senders, which go on with the
        others' (_turns_come). Her lease is stretched to last from that turn: on a
        clock run faster than real time the second can outlast it, and another
        process would take hers over and post it at once."""
        until = after(self._clock, wait) + checkins.LEASE
        now = self._clock.now()
        try:
            with self._db.transaction() as tx:
                if not checkins.renew_lease(
                    tx, checkin_id=message.checkin_id, owner=self.owner, now=now, until=until
                ):
                    return  # lost, or Slack asked her workspace to wait: a later claim sends it
        except DBAPIError:
            log.warning(
                "check-in %s waits for a later claim: database unavailable", message.checkin_id
            )
            return
        with self._turns_lock:
            ready_at = self._monotonic() + wait
            heapq.heappush(self._later, (ready_at, next(self._queued), message))

    def _give_back_turn(self, dm: tuple[str, str], *, sent: bool) -> None:
        with self._turns_lock:
            self._turns.give_back(dm, self._monotonic(), sent=sent)

    def _turns_come(self) -> list[CheckinMessage]:
        """The messages that waited for a turn that may have come by now."""
        with self._turns_lock:
            now = self._monotonic()
            ready = []
            while self._later and self._later[0][0] <= now:
                ready.append(heapq.heappop(self._later)[2])
            return ready

    def _next_turn(self) -> float | None:
        with self._turns_lock:
            return self._later[0][0] if self._later else None

    def _send(self, message: CheckinMessage) -> tuple[CheckinMessage, str, str] | None:
        try:
            channel, ts = self._sender.send(message)
        except RecipientGone as e:
            self._recipient_gone(message, str(e))
            return None
        except Refused as e:
            self._refused(message, e)
            return None
        except RateLimited as e:
            self._rate_limited(message, e.retry_after)
            return None
        except WorkspaceUnreachable as e:
            self._unreachable(message, str(e))
            return None
        except Exception as e:  # anything else is worth another try later
            self._retry_later_by_id(message.checkin_id, e)
            return None
        metrics.CHECKINS_SENT.inc()
        return message, channel, ts

    def _record_then_renew(
        self, sent: tuple[CheckinMessage, str, str] | None, next: CheckinMessage | None
    ) -> CheckinMessage | None:
        """Record what was just sent, then ``next`` as it may be sent now (with its story
        if this process claimed the story's slot), or None if it may not."""
        retried = False
        while True:
            try:
                with self._unit_after(sent) as unit:
                    return self._hand_over(unit, sent, next)
            except DBAPIError as e:  # a dropped connection is retried once, on a fresh one
                if retried or not e.connection_invalidated:
                    if sent is not None:
                        # Delivered but not recorded: the only way a check-in can go twice.
                        log.exception("check-in %s was sent but not recorded", sent[0].checkin_id)
                    else:
                        log.warning("database unavailable before sending check-ins")
                    return None
                retried = True

    def _unit_after(self, sent: tuple[CheckinMessage, str, str] | None):
        """A transaction when something is written after the send's record (her new DM
        channel, a post-meeting check-in's reminder: both or neither); else the hand-over
        is one statement, on PostgreSQL without BEGIN and COMMIT around it. This runs
        once per check-in sent, on a bare connection either way."""
        if sent is not None and _followed_up(*sent):
            return self._db.transaction()
        return self._db.one_statement()

    def _hand_over(
        self,
        unit: sa.Connection,
        sent: tuple[CheckinMessage, str, str] | None,
        next: CheckinMessage | None,
    ) -> CheckinMessage | None:
        # The lease is renewed (or found lost) right before the send, so a row that
        # waited in the queue is never sent by two processes, nor to someone who
        # asked to be forgotten meanwhile, nor while Slack asked everyone to wait.
        now = self._clock.now()
        story = next is not None and next.story is not None
        done = checkins.hand_over(
            unit,
            sent=None if sent is None else _delivery(*sent),
            checkin_id=None if next is None else next.checkin_id,
            owner=self.owner,
            now=now,
            story=next.story_slot if story else None,
        )
        if done.recorded:
            message, channel, _ = sent
            self._after_sent(unit, message, channel, now=now)
        if next is None:
            return None
        if not done.renewed:
            self._held_back(unit, next, now)
            return None
        # Her story goes only with the check-in that claimed its slot of the week.
        return next if done.story or not story else replace(next, story=None)

    def _with_story(self, message: CheckinMessage) -> CheckinMessage:
        """With her story, when one is due; a story that can't be picked is left out,
        and its slot stays due."""
        if message.story_slot is None or self._stories is None:
            return message
        try:
            story = self._stories.pick(team_id=message.team_id, slot=message.story_slot)
        except Exception:
            log.exception("no coping story for check-in %s", message.checkin_id)
            return message
        return replace(message, story=story)

    def _held_back(self, tx: sa.Connection, message: CheckinMessage, now: datetime) -> None:
        until = ratelimits.blocked_until(tx, team_id=message.team_id, now=now)
        if until is not None:
            checkins.defer(tx, checkin_id=message.checkin_id, owner=self.owner, to=until)
        else:
            log.info("check-in %s: lease lost before sending; skipped", message.checkin_id)

    def _rate_limited(self, message: CheckinMessage, retry_after: float) -> None:
        wait = max(1.0, retry_after)
        metrics.rate_limit_wait("dispatcher", wait)
        until = self._clock.now() + timedelta(seconds=wait)
        with self._db.session() as session:
            # The check-in's row before the workspace's, the order a claim takes them in:
            # the other order deadlocked against another process's claim (PostgreSQL).
            checkins.defer(session, checkin_id=message.checkin_id, owner=self.owner, to=until)
            ratelimits.block(session, team_id=message.team_id, until=until)
        log.warning("Slack asked us to wait %g s; every process holds back", retry_after)

    def _unreachable(self, message: CheckinMessage, why: str) -> None:
        """Hold her workspace's check-ins back (not lost, not a failed try) until its
        token is looked up again; the other workspaces go on."""
        until = self._clock.now() + UNREACHABLE_HOLD
        with self._db.session() as session:
            checkins.defer(session, checkin_id=message.checkin_id, owner=self.owner, to=until)
            ratelimits.block(session, team_id=message.team_id, until=until)
        log.warning("workspace %s can't be reached (%s); its check-ins wait", message.team_id, why)

    def _after_sent(
        self, tx: sa.Connection, message: CheckinMessage, channel: str, *, now: datetime
    ) -> None:
        """What follows a recorded send: her DM's channel, if Slack gave a new one, and
        the reminder of a post-meeting check-in."""
        if _new_channel(message, channel):
            tx.execute(
                sa.update(Coachee)
                .where(Coachee.id == message.coachee_id)
                .values(dm_channel_id=channel)
            )
        if message.kind == CheckinKind.POST:
            self._plan_reminder(tx, message.checkin_id, now)

    def _plan_reminder(self, tx: sa.Connection, post_id: int, now: datetime) -> None:
        post = checkins.reminder_basis(tx, checkin_id=post_id)
        if post is None:
            return
        due = reminder_time(
            now,
            reminder_minutes=post.reminder_minutes,
            tz=ZoneInfo(post.tz),
            work_start=post.working_hours_start,
            work_end=post.working_hours_end,
            answer_until=post.expires_at,
        )
        if due is None:
            return
        checkins.upsert_planned(
            tx,
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
            self._failed(session, message.checkin_id, error, why="recipient gone")
            coachee = session.get(Coachee, message.coachee_id)
            if coachee is None:
                return  # she asked to be forgotten meanwhile
            coachee.paused_until = OPEN_ENDED
            checkins.cancel_pending(session, coachee_id=coachee.id)
        metrics.CHECKINS_FAILED.labels(reason="recipient_gone").inc()
        log.warning("paused %s: Slack can't reach them (%s)", message.user_id, error)

    def _refused(self, message: CheckinMessage, refused: Refused) -> None:
        """A bug in the message, not a fault of the network or of hers: this check-in
        fails at once, and nothing about her changes, so her next ones still go out."""
        with self._db.session() as session:
            self._failed(session, message.checkin_id, str(refused), why="refused")
        metrics.CHECKINS_FAILED.labels(reason="refused").inc()
        log.error(
            "check-in %s (%s) not sent and not retried: Slack %s",
            message.checkin_id,
            message.kind,
            refused,
        )

    def _retry_later_by_id(self, checkin_id: int, error: Exception) -> None:
        now = self._clock.now()
        why = f"{error.__class__.__name__}: {error}"
        with self._db.session() as session:
            attempts = checkins.leased_attempts(session, checkin_id=checkin_id, owner=self.owner)
            if attempts is None:
                return _left_alone(checkin_id)
            if attempts >= MAX_SEND_ATTEMPTS:
                self._failed(session, checkin_id, why, why="gave up after repeated errors")
                metrics.CHECKINS_FAILED.labels(reason="gave_up").inc()
                return
            # Keep the lease a little longer: that is the back-off before the next try.
            until = now + timedelta(seconds=min(600, 15 * 2**attempts))
            if not checkins.back_off(
                session, checkin_id=checkin_id, owner=self.owner, until=until, error=why
            ):
                return _left_alone(checkin_id)
        log.warning("check-in %s not sent, will retry: %s", checkin_id, error)

    def _failed(self, session, checkin_id: int, error: str, *, why: str) -> None:
        """Close our row as failed. A send that outlasted its lease leaves the row alone:
        another process took it over, and may have sent it meanwhile."""
        if checkins.close_leased(
            session,
            checkin_id=checkin_id,
            owner=self.owner,
            status=CheckinStatus.FAILED,
            error=error,
        ):
            log.info("check-in %s failed: %s", checkin_id, why)
        else:
            _left_alone(checkin_id)


def _delivery(message: CheckinMessage, channel: str, ts: str) -> checkins.Delivery:
    return checkins.Delivery(message.checkin_id, channel, ts, message.card.challenge.id)


def _left_alone(checkin_id: int) -> None:
    # A send (or a try) that outlasted its lease: another process took the row over.
    log.info("check-in %s is another process's now; left to it", checkin_id)


def _followed_up(message: CheckinMessage, channel: str, ts: str) -> bool:
    """Whether recording this send writes more (Dispatcher._after_sent)."""
    return message.kind == CheckinKind.POST or _new_channel(message, channel)


def _new_channel(message: CheckinMessage, channel: str) -> bool:
    return message.channel != channel and message.coachee_id is not None

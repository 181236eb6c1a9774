"""The dispatcher's lease, row by row: a check-in goes out once even when a process
stalls past its lease, and one broken row doesn't hold up the rest."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.clock import ScaledClock
from bot.content import load_ladder
from bot.domain.stories import Story
from bot.models import Checkin, Coachee, Meeting
from bot.observability import metrics
from bot.services.coaching import CoachingService
from bot.services.dispatch import (
    MAX_SEND_ATTEMPTS,
    CheckinMessage,
    Dispatcher,
    RateLimited,
    RecipientGone,
    Refused,
)
from bot.storage import checkins, ratelimits
from bot.storage.db import Database
from tests.observability.support import value
from tests.support.clock import FakeClock
from tests.support.double_booking import same_slot_checkin

NOW = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)


class Sender:
    def __init__(self):
        self.sent: list[CheckinMessage] = []

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        self.sent.append(message)
        return "D1", f"{len(self.sent)}.000100"


def _seed(db: Database, n: int) -> None:
    with db.session() as s:
        for i in range(n):
            coachee = Coachee(
                team_id="T1",
                slack_user_id=f"U{i}",
                tz="America/New_York",
                current_step=3,
                start_step=3,
                current_challenge_id="answer-any-thoughts",
                onboarded_at=NOW,
            )
            s.add(coachee)
            s.flush()
            meeting = Meeting(
                team_id="T1",
                coachee_id=coachee.id,
                name="Planning",
                weekdays=1,
                start_time=time(10, 0),
                duration_minutes=30,
                tz="America/New_York",
                planned_until=NOW + timedelta(days=30),
            )
            s.add(meeting)
            s.flush()
            s.add(
                Checkin(
                    team_id="T1",
                    coachee_id=coachee.id,
                    meeting_id=meeting.id,
                    kind="pre",
                    occurrence_start=NOW + timedelta(minutes=15),
                    due_at=NOW,
                    send_until=NOW + timedelta(minutes=15),
                    expires_at=NOW + timedelta(minutes=15),
                )
            )


def _post_checkin_after(pre: Checkin, *, due_at: datetime) -> Checkin:
    """The after-meeting check-in of the same meeting as ``pre``."""
    return Checkin(
        team_id=pre.team_id,
        coachee_id=pre.coachee_id,
        meeting_id=pre.meeting_id,
        kind="post",
        occurrence_start=pre.occurrence_start,
        due_at=due_at,
        send_until=due_at + timedelta(hours=12),
        expires_at=due_at + timedelta(hours=24),
    )


def _dispatcher(
    db: Database, clock: FakeClock, owner: str, *, sender: Sender | None = None, **extra
) -> tuple[Dispatcher, Sender]:
    sender = sender or Sender()
    coaching = CoachingService(db, clock, load_ladder())
    return Dispatcher(db, clock, coaching, sender, owner=owner, **extra), sender


def test_a_row_whose_lease_ran_out_in_the_queue_is_sent_once(db: Database):
    _seed(db, 1)
    clock = FakeClock(NOW)
    a, sent_by_a = _dispatcher(db, clock, "A")
    b, sent_by_b = _dispatcher(db, clock, "B")
    with db.session() as s:
        [checkin_id] = checkins.claim_due(s, now=NOW, owner="A", limit=10)
    queued = a._prepare(checkin_id, NOW)  # A stalls with the row in its queue...
    clock.instant = NOW + timedelta(seconds=61)
    assert b.tick() == 1  # ...B takes the expired lease and sends it
    assert a._deliver(queued) is False  # A finds its lease gone and doesn't send
    assert (len(sent_by_a.sent), len(sent_by_b.sent)) == (0, 1)
    with db.session() as s:
        row = s.get(Checkin, checkin_id)
    assert (row.status, row.send_attempts) == ("sent", 2)
    a.close()
    b.close()


def test_one_broken_row_does_not_hold_up_the_others(db: Database):
    _seed(db, 3)
    with db.session() as s:
        broken = s.exec(select(Meeting)).first()
        broken.tz = "Not/AZone"  # a row the dispatcher can't render
    clock = FakeClock(NOW)
    dispatcher, sender = _dispatcher(db, clock, "A")
    assert dispatcher.tick() == 2
    assert {m.user_id for m in sender.sent} == {"U1", "U2"}
    dispatcher.close()


def test_rows_not_wanted_any_more_are_closed_unsent_and_never_claimed_again(db: Database):
    _seed(db, 3)
    with db.session() as s:
        paused, gone, _ = s.exec(select(Coachee).order_by(Coachee.id)).all()
        paused.paused_until = NOW + timedelta(days=7)
        s.exec(select(Meeting).where(Meeting.coachee_id == gone.id)).one().active = False
    clock = FakeClock(NOW)
    dispatcher, sender = _dispatcher(db, clock, "A")
    assert dispatcher.tick() == 1
    assert [m.user_id for m in sender.sent] == ["U2"]
    with db.session() as s:
        rows = {c.coachee_id: c for c in s.exec(select(Checkin))}
    assert [rows[c.id].status for c in (paused, gone)] == ["cancelled", "cancelled"]
    assert {(rows[c.id].lease_owner, rows[c.id].lease_until) for c in (paused, gone)} == {
        (None, None)
    }
    clock.instant = NOW + timedelta(minutes=5)  # their leases would have run out by now
    assert dispatcher.tick() == 0 and len(sender.sent) == 1
    dispatcher.close()


def test_a_row_another_process_took_over_is_not_closed_by_the_one_that_lost_it(db: Database):
    _seed(db, 1)
    with db.session() as s:
        s.exec(select(Meeting)).one().active = False
        [checkin_id] = checkins.claim_due(s, now=NOW, owner="A", limit=10)
    with db.session() as s:
        s.get(Checkin, checkin_id).lease_owner = "B"  # A's lease ran out and B claimed it
    with db.session() as s:
        checkins.close_leased(s, checkin_id=checkin_id, owner="A", status="cancelled")
    with db.session() as s:
        row = s.get(Checkin, checkin_id)
    assert (row.status, row.lease_owner) == ("pending", "B")


class RateLimitedOnce(Sender):
    """Slack answers the first post with 429 and Retry-After: 5."""

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        if not getattr(self, "refused", False):
            self.refused = True
            raise RateLimited(5)
        return super().send(message)


def test_a_429_holds_back_every_process_until_retry_after(db: Database):
    _seed(db, 3)
    clock = FakeClock(NOW)
    coaching = CoachingService(db, clock, load_ladder())
    a = Dispatcher(db, clock, coaching, RateLimitedOnce(), owner="A", concurrency=1)
    b, _ = _dispatcher(db, clock, "B")
    assert a.tick() == 0  # refused, and it stops there: the others are held back too
    with db.session() as s:
        assert ratelimits.blocked_until(s, team_id="T1", now=NOW) == NOW + timedelta(seconds=5)
    assert b.tick() == 0  # another process sends nothing meanwhile
    clock.instant = NOW + timedelta(seconds=4)
    assert b.tick() == 0
    clock.instant = NOW + timedelta(seconds=6)
    assert b.tick() + a.tick() == 3
    with db.session() as s:
        rows = s.exec(select(Checkin)).all()
    assert {r.status for r in rows} == {"sent"}
    # Waiting for Slack is not a failed try: no row is any nearer to giving up.
    assert max(r.send_attempts for r in rows) == 1
    a.close()
    b.close()


def test_her_dm_channel_is_learned_once_and_used_after(db: Database):
    _seed(db, 1)
    clock = FakeClock(NOW)
    dispatcher, sender = _dispatcher(db, clock, "A")
    assert dispatcher.tick() == 1
    assert sender.sent[0].channel is None  # not known yet: the sender opens her DM
    with db.session() as s:
        coachee = s.exec(select(Coachee)).one()
        assert coachee.dm_channel_id == "D1"
        s.add(_post_checkin_after(s.exec(select(Checkin)).one(), due_at=NOW))
    assert dispatcher.tick() == 1
    assert sender.sent[1].channel == "D1"
    dispatcher.close()


def test_a_burst_is_paced_under_the_budget_and_every_checkin_arrives_in_its_window(db: Database):
    """120 pre-meeting check-ins fall due at :45 for a meeting at :00, behind 20
    post-meeting ones due earlier that keep for hours; the workspace may get 480 a
    minute (8 a second, 5 seconds' worth saved up for a burst). Nearest deadline
    first, every pre-meeting one arrives before its meeting, and after the burst no
    second carries more than the budget."""
    _seed(db, 140)
    with db.session() as s:
        rows = s.exec(select(Checkin).order_by(Checkin.id)).all()
        for row in rows[120:]:  # post-meeting: due earlier, open for 12 hours
            row.kind, row.due_at = "post", NOW - timedelta(minutes=5)
            row.send_until = row.expires_at = NOW + timedelta(hours=12)
    clock = FakeClock(NOW)
    coaching = CoachingService(db, clock, load_ladder())
    sender = Sender()
    sent_at: list[tuple[datetime, str]] = []

    class Timed(Sender):
        def send(self, message: CheckinMessage) -> tuple[str, str]:
            sent_at.append((clock.now(), message.kind))
            return sender.send(message)

    dispatcher = Dispatcher(db, clock, coaching, Timed(), owner="A", per_minute=480)
    while clock.instant < NOW + timedelta(minutes=15) and len(sent_at) < 140:
        dispatcher.tick()
        clock.instant += timedelta(seconds=1)
    dispatcher.close()

    pre = [t for t, kind in sent_at if kind == "pre"]
    assert len(pre) == 120 and max(pre) < NOW + timedelta(minutes=15)
    # Deadline first: every pre-meeting check-in went before any post-meeting one.
    assert [kind for _, kind in sent_at[:120]] == ["pre"] * 120
    per_second = Counter(t for t, _ in sent_at)
    assert per_second[NOW] == 40  # the burst saved up
    assert max(n for t, n in per_second.items() if t > NOW) <= 8
    assert max(per_second) >= NOW + timedelta(seconds=12)  # (140 - 40) / 8: paced


class RefusesPre(Sender):
    """Slack refuses every pre-meeting check-in's blocks, as it would a broken builder's."""

    def __init__(self):
        super().__init__()
        self.refused: list[CheckinMessage] = []

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        if message.kind == "pre":
            self.refused.append(message)
            raise Refused("chat.postMessage", "invalid_blocks", ("/blocks/1/accessory/options/0",))
        return super().send(message)


def _failed_count(db: Database, clock: FakeClock, reason: str) -> float:
    page = metrics.render(db, clock, None)[0].decode()
    return value(page, "voice_coach_checkins_failed_total", reason=reason)


def test_a_refused_checkin_fails_at_once_and_her_next_one_still_goes_out(db: Database, caplog):
    _seed(db, 1)
    with db.session() as s:
        pre = s.exec(select(Checkin)).one()
        s.add(_post_checkin_after(pre, due_at=NOW + timedelta(minutes=45)))
    clock = FakeClock(NOW)
    sender = RefusesPre()
    dispatcher = Dispatcher(db, clock, CoachingService(db, clock, load_ladder()), sender, owner="A")
    refused_before = _failed_count(db, clock, "refused")
    with caplog.at_level(logging.INFO):
        assert dispatcher.tick() == 0
        # Not a network fault: no back-off and no second try, however long we wait.
        for minutes in (1, 10, 30):
            clock.instant = NOW + timedelta(minutes=minutes)
            assert dispatcher.tick() == 0
    assert len(sender.refused) == 1
    with db.session() as s:
        row = s.get(Checkin, pre.id)
        coachee = s.get(Coachee, pre.coachee_id)
    assert (row.status, row.send_attempts, row.lease_owner) == ("failed", 1, None)
    assert row.last_error == (
        "chat.postMessage refused: invalid_blocks at /blocks/1/accessory/options/0"
    )
    assert coachee.paused_until is None  # nothing about her is paused
    assert _failed_count(db, clock, "refused") == refused_before + 1

    # Logged once, at ERROR, with where it broke; never the message (her meeting's name).
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    line = errors[0].getMessage()
    assert f"check-in {pre.id}" in line and "chat.postMessage" in line
    assert "invalid_blocks" in line and "/blocks/1/accessory/options/0" in line
    assert errors[0].exc_info is None
    assert not any("Planning" in r.getMessage() for r in caplog.records)

    clock.instant = NOW + timedelta(minutes=45)  # her after-meeting check-in
    assert dispatcher.tick() == 1
    assert [m.kind for m in sender.sent] == ["post"]
    dispatcher.close()


def _checkin(db: Database, checkin_id: int) -> Checkin:
    with db.session() as s:
        return s.get(Checkin, checkin_id)


class SlackSilent(Sender):
    """Every post times out: a network fault, worth another try later."""

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        self.sent.append(message)
        raise TimeoutError("Slack did not answer")


def test_a_failed_try_waits_longer_each_time_and_the_eighth_gives_up(db: Database):
    _seed(db, 1)
    with db.session() as s:  # a post-meeting check-in: it keeps for hours
        row = s.exec(select(Checkin)).one()
        row.kind, row.send_until = "post", NOW + timedelta(hours=12)
    clock = FakeClock(NOW)
    sender = SlackSilent()
    dispatcher, _ = _dispatcher(db, clock, "A", sender=sender)
    gave_up_before = _failed_count(db, clock, "gave_up")
    waits = []
    for _ in range(MAX_SEND_ATTEMPTS - 1):
        assert dispatcher.tick() == 0
        row = _checkin(db, row.id)
        assert (row.status, row.lease_owner) == ("pending", "A")
        assert row.last_error == "TimeoutError: Slack did not answer"
        waits.append((row.lease_until - clock.now()).total_seconds())
        assert dispatcher.tick() == 0 and len(sender.sent) == len(waits)  # not before its time
        clock.instant = row.lease_until + timedelta(seconds=1)
    assert waits == [30, 60, 120, 240, 480, 600, 600]
    assert dispatcher.tick() == 0
    row = _checkin(db, row.id)
    assert (row.status, row.send_attempts, row.lease_owner, row.lease_until) == (
        "failed",
        MAX_SEND_ATTEMPTS,
        None,
        None,
    )
    assert _failed_count(db, clock, "gave_up") == gave_up_before + 1
    clock.instant += timedelta(hours=1)
    assert dispatcher.tick() == 0 and len(sender.sent) == MAX_SEND_ATTEMPTS
    dispatcher.close()


class OutlastsItsLease(Sender):
    """A post whose answer takes longer than the lease: meanwhile the lease runs out,
    process B takes the row over and sends it; then Slack's answer reaches A."""

    def __init__(self, clock: FakeClock, other: Dispatcher, answer: Exception):
        super().__init__()
        self.clock, self.other, self.answer = clock, other, answer

    def send(self, message: CheckinMessage) -> tuple[str, str]:
        self.sent.append(message)
        self.clock.instant += checkins.LEASE + timedelta(seconds=1)
        assert self.other.tick() == 1
        raise self.answer


@pytest.mark.parametrize(
    ("answer", "tried_before"),
    [
        (Refused("chat.postMessage", "invalid_blocks"), 0),
        (RecipientGone("account_inactive"), 0),
        (TimeoutError("Slack did not answer"), 0),  # would back off
        (TimeoutError("Slack did not answer"), MAX_SEND_ATTEMPTS - 1),  # would give up
    ],
    ids=["refused", "recipient-gone", "retry", "give-up"],
)
def test_a_send_that_outlasted_its_lease_leaves_the_row_to_the_process_that_sent_it(
    db: Database, answer: Exception, tried_before: int
):
    _seed(db, 1)
    with db.session() as s:
        row = s.exec(select(Checkin)).one()
        row.send_attempts = tried_before
    clock = FakeClock(NOW)
    b, sent_by_b = _dispatcher(db, clock, "B")
    a, _ = _dispatcher(db, clock, "A", sender=OutlastsItsLease(clock, b, answer))
    assert a.tick() == 0
    assert len(sent_by_b.sent) == 1
    row = _checkin(db, row.id)
    # As B recorded it: sent, no lease, no error; A's answer changed nothing.
    assert (row.status, row.lease_owner, row.lease_until, row.last_error) == (
        "sent",
        None,
        None,
        None,
    )
    assert row.message_ts == "1.000100"
    a.close()
    b.close()


class Stories:
    """Stands in for the story service: picks a story for a slot that is due."""

    def __init__(self, fail: bool = False):
        self.fail, self.picks = fail, []

    def pick(self, *, team_id, slot):
        self.picks.append(slot.coachee_id)
        if self.fail:
            raise RuntimeError("the story library can't be read")
        return Story(text="Was nervous, did it anyway.", source="library", step=slot.step)


def _story_claims(db: Database) -> dict[int, tuple[datetime | None, int]]:
    with db.reading() as c:
        rows = c.execute(sa.select(Coachee.id, Coachee.story_shown_at, Coachee.stories_shown))
        return {row.id: (row.story_shown_at, row.stories_shown) for row in rows}


def test_a_story_due_is_claimed_right_before_its_check_in_goes_out(db: Database):
    _seed(db, 3)
    earlier = NOW - timedelta(hours=1)
    with db.session() as s:
        s.get(Coachee, 2).story_shown_at = earlier  # U1 had this week's story already
        s.get(Coachee, 3).stories_on = False  # U2 turned them off
    stories = Stories()
    dispatcher, sender = _dispatcher(db, FakeClock(NOW), "A", stories=stories)
    assert dispatcher.tick() == 3
    assert stories.picks == [1]
    assert {m.user_id: m.story is not None for m in sender.sent} == {
        "U0": True,
        "U1": False,
        "U2": False,
    }
    assert _story_claims(db) == {1: (NOW, 1), 2: (earlier, 0), 3: (None, 0)}


def test_no_story_is_claimed_for_a_check_in_that_may_not_go(db: Database):
    _seed(db, 2)

    class SlackAsksToWait(Sender):
        def send(self, message):
            with db.session() as s:  # another process was told to wait, after this send
                ratelimits.block(s, team_id="T1", until=NOW + timedelta(minutes=1))
            return super().send(message)

    stories = Stories()
    dispatcher, _ = _dispatcher(
        db, FakeClock(NOW), "A", sender=SlackAsksToWait(), concurrency=1, stories=stories
    )
    assert dispatcher.tick() == 1
    assert stories.picks == [1, 2]  # picked for both, claimed for the one that went
    assert _story_claims(db) == {1: (NOW, 1), 2: (None, 0)}  # hers waits with her check-in
    dispatcher.close()


def test_a_story_whose_slot_went_with_another_check_in_is_left_out(db: Database):
    _seed(db, 2)
    shown = NOW - timedelta(seconds=5)

    class AnotherProcessShowsHers(Sender):
        def send(self, message):
            if not self.sent:  # meanwhile U1's story went out beside another meeting's
                with db.session() as s:
                    s.get(Coachee, 2).story_shown_at = shown
            return super().send(message)

    stories = Stories()
    dispatcher, sender = _dispatcher(
        db, FakeClock(NOW), "A", sender=AnotherProcessShowsHers(), concurrency=1, stories=stories
    )
    assert dispatcher.tick() == 2
    assert stories.picks == [1, 2]
    assert [(m.user_id, m.story is not None) for m in sender.sent] == [("U0", True), ("U1", False)]
    assert _story_claims(db) == {1: (NOW, 1), 2: (shown, 0)}  # one a week, not two
    dispatcher.close()


def test_a_story_that_fails_never_holds_up_the_check_in(db: Database, caplog):
    _seed(db, 2)
    dispatcher, sender = _dispatcher(db, FakeClock(NOW), "A", stories=Stories(fail=True))
    with caplog.at_level(logging.ERROR):
        assert dispatcher.tick() == 2
    assert [m.story for m in sender.sent] == [None, None]
    with db.session() as s:
        assert {c.status for c in s.exec(select(Checkin)).all()} == {"sent"}
    assert _story_claims(db) == {1: (None, 0), 2: (None, 0)}  # due again next time
    assert "no coping story" in caplog.text


class Seconds:
    """A monotonic clock that moves only when the dispatcher pauses on it."""

    def __init__(self):
        self.now = 0.0
        self.pauses: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def pause(self, seconds: float) -> None:
        with self._lock:
            self.pauses.append(seconds)
            self.now += seconds


def test_two_meetings_in_one_slot_reach_her_dm_a_second_apart_and_nobody_else_waits(db):
    """Two check-ins for her due at one instant (a double-booked 10:00) would be two posts
    to her DM at once, and Slack refuses the second (429), holding back her whole
    workspace. The senders take turns: hers go a second apart, the others' at once,
    and the sender does not wait for her turn (at 60x a second is an app minute)."""
    _seed(db, 3)
    with db.session() as s:
        first = s.exec(select(Checkin).order_by(Checkin.id)).first()
        # Claimed first (its deadline is nearer), so both of hers lead the batch.
        same_slot_checkin(s, first, send_until=first.send_until - timedelta(minutes=1))
    seconds = Seconds()
    sent: list[tuple[float, str, str]] = []

    class Timed(Sender):
        def send(self, message: CheckinMessage) -> tuple[str, str]:
            sent.append((seconds(), message.user_id, message.meeting_name))
            return super().send(message)

    clock = FakeClock(NOW)
    coaching = CoachingService(db, clock, load_ladder())
    dispatcher = Dispatcher(
        db,
        clock,
        coaching,
        Timed(),
        owner="A",
        concurrency=1,
        monotonic=seconds,
        pause=seconds.pause,
    )
    assert dispatcher.tick() == 4
    dispatcher.close()
    # One sender, in claim order, except that her second waits for its turn apart from
    # it: the others' go out at once, hers a second after her first.
    assert sent == [
        (0.0, "U0", "Hiring sync"),
        (0.0, "U1", "Planning"),
        (0.0, "U2", "Planning"),
        (1.0, "U0", "Planning"),
    ]
    assert seconds.pauses == [1.0]
    with db.session() as s:
        assert ratelimits.blocked_until(s, team_id="T1", now=NOW) is None
        assert {c.status for c in s.exec(select(Checkin))} == {"sent"}


def test_her_second_check_in_keeps_its_lease_while_it_waits_even_on_a_fast_clock(db):
    """On a clock 240x real time (a benchmark's day) the second her check-in waits for
    its turn is four app minutes, past her 60 s lease: another process must not take
    it over and post it before its turn, which Slack would refuse with 429."""
    _seed(db, 1)
    with db.session() as s:
        same_slot_checkin(s, s.exec(select(Checkin)).first())
    seconds = Seconds()

    class Fast(ScaledClock):
        def now(self) -> datetime:
            return self.start + timedelta(seconds=seconds() * self.speed)

    clock = Fast(NOW, speed=240, anchor=0)
    b, sent_by_b = _dispatcher(db, clock, "B")

    def pause(wait: float) -> None:
        seconds.pause(wait / 2)  # two app minutes: her first lease has run out
        assert b.tick() == 0
        seconds.pause(wait / 2)

    a, sent_by_a = _dispatcher(db, clock, "A", concurrency=1, monotonic=seconds, pause=pause)
    assert a.tick() == 2
    assert [m.meeting_name for m in sent_by_a.sent] == ["Planning", "Hiring sync"]
    assert (sent_by_b.sent, seconds.pauses) == ([], [0.5, 0.5])
    a.close()
    b.close()


def test_a_post_check_in_once_sent_plans_her_reminder_by_her_setting_and_hours(db: Database):
    """Read in the transaction that records the send: her reminder setting, time zone
    and working hours, and the check-in's meeting, occurrence and answer deadline."""
    _seed(db, 2)
    due = NOW + timedelta(minutes=50)  # 10:35 in New York, the meeting just over
    with db.session() as s:
        pres = s.exec(select(Checkin).order_by(Checkin.id)).all()
        ann, bea = (s.get(Coachee, c.coachee_id) for c in pres)
        ann.reminder_minutes = 90  # 12:05 there
        bea.working_hours_end = time(12, 0)  # 12:35 is after her day: 09:00 next morning
        for pre in pres:
            pre.status = "expired"
            s.add(_post_checkin_after(pre, due_at=due))
    dispatcher, _ = _dispatcher(db, FakeClock(due), "A")
    assert dispatcher.tick() == 2
    dispatcher.close()
    with db.session() as s:
        reminders = s.exec(select(Checkin).where(Checkin.kind == "reminder")).all()
        by_person = {
            r.coachee_id: (r.meeting_id, r.occurrence_start, r.due_at, r.expires_at)
            for r in reminders
        }
    answer_until = due + timedelta(hours=24)
    assert by_person == {
        ann.id: (
            pres[0].meeting_id,
            pres[0].occurrence_start,
            NOW + timedelta(minutes=140),
            answer_until,
        ),
        bea.id: (
            pres[1].meeting_id,
            pres[1].occurrence_start,
            datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
            answer_until,
        ),
    }
    assert {r.send_until for r in reminders} == {answer_until}

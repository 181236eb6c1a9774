"""A workspace's sending budget, shared through the database: the block after a 429,
the token bucket that paces claims, and the order claims take."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import event as sa_event
from sqlmodel import select

from bot.models import Checkin, Coachee, Meeting, RateLimit
from bot.storage import checkins, ratelimits
from bot.storage.db import Database
from tests.support.double_booking import same_slot_checkin

NOW = datetime(2026, 3, 2, 14, 45, tzinfo=UTC)
_people = itertools.count()


def _due(db: Database, team_id: str, n: int, *, send_until: timedelta = timedelta(minutes=15)):
    """``n`` people of ``team_id`` with one check-in each, due now; returns their ids."""
    ids = []
    with db.session() as s:
        for _ in range(n):
            coachee = Coachee(team_id=team_id, slack_user_id=f"U{next(_people)}", onboarded_at=NOW)
            s.add(coachee)
            s.flush()
            meeting = Meeting(
                team_id=team_id,
                coachee_id=coachee.id,
                name="Planning",
                weekdays=1,
                start_time=time(10, 0),
                duration_minutes=30,
                tz="UTC",
            )
            s.add(meeting)
            s.flush()
            row = Checkin(
                team_id=team_id,
                coachee_id=coachee.id,
                meeting_id=meeting.id,
                kind="pre",
                occurrence_start=NOW + timedelta(minutes=15),
                due_at=NOW,
                send_until=NOW + send_until,
                expires_at=NOW + send_until,
            )
            s.add(row)
            s.flush()
            ids.append(row.id)
    return ids


def _claim(db: Database, now: datetime, *, limit: int = 100, per_minute: int | None = None):
    with db.session() as s:
        return checkins.claim_due(s, now=now, owner="A", limit=limit, per_minute=per_minute)


def test_the_bucket_allows_a_burst_then_refills_at_its_rate(db: Database):
    with db.session() as s:
        # 120 a minute: 2 a second, and 5 seconds' worth (10) saved up for a burst.
        assert ratelimits.take(s, team_id="T1", wanted=50, per_minute=120, now=NOW) == 10
        assert ratelimits.take(s, team_id="T1", wanted=50, per_minute=120, now=NOW) == 0
        later = NOW + timedelta(seconds=3)
        assert ratelimits.take(s, team_id="T1", wanted=50, per_minute=120, now=later) == 6
        # Another workspace has its own budget.
        assert ratelimits.take(s, team_id="T2", wanted=3, per_minute=120, now=NOW) == 3


def test_one_draw_from_many_buckets_in_two_statements(db: Database):
    """A claim spanning many workspaces draws on every bucket at once, each its own:
    one statement finds, makes and locks them all, one writes what each has left."""
    with db.session() as s:
        ratelimits.take(s, team_id="T2", wanted=8, per_minute=120, now=NOW)  # 2 left
        ratelimits.block(s, team_id="T3", until=NOW + timedelta(seconds=5))
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listen)
    try:
        with db.session() as s:
            taken = ratelimits.take_each(
                s, wanted={"T1": 4, "T2": 4, "T3": 4, "T4": 40}, per_minute=120, now=NOW
            )
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listen)
    assert taken == {"T1": 4, "T2": 2, "T3": 0, "T4": 10}
    assert len([q for q in statements if "rate_limit" in q]) == 2
    with db.session() as s:  # what each bucket holds now
        assert ratelimits.take(s, team_id="T1", wanted=50, per_minute=120, now=NOW) == 6
        assert ratelimits.take(s, team_id="T4", wanted=50, per_minute=120, now=NOW) == 0


def test_a_block_stops_sends_until_it_ends_and_a_later_block_wins(db: Database):
    with db.session() as s:
        ratelimits.block(s, team_id="T1", until=NOW + timedelta(seconds=30))
        ratelimits.block(s, team_id="T1", until=NOW + timedelta(seconds=10))  # earlier: ignored
        assert ratelimits.blocked_until(s, team_id="T1", now=NOW) == NOW + timedelta(seconds=30)
        assert ratelimits.take(s, team_id="T1", wanted=5, per_minute=600, now=NOW) == 0
        assert ratelimits.blocked_until(s, team_id="T2", now=NOW) is None
        after = NOW + timedelta(seconds=31)
        assert ratelimits.blocked_until(s, team_id="T1", now=after) is None
        assert ratelimits.take(s, team_id="T1", wanted=5, per_minute=600, now=after) == 5


def test_claims_skip_a_blocked_workspace_but_not_the_others(db: Database):
    blocked = _due(db, "T1", 3)
    free = _due(db, "T2", 2)
    with db.session() as s:
        ratelimits.block(s, team_id="T1", until=NOW + timedelta(seconds=5))
    assert sorted(_claim(db, NOW)) == sorted(free)
    assert sorted(_claim(db, NOW + timedelta(seconds=6))) == sorted(blocked)


def test_claims_are_paced_per_workspace(db: Database):
    t1 = _due(db, "T1", 30)
    t2 = _due(db, "T2", 4)
    first = _claim(db, NOW, per_minute=120)  # 10 of T1 (its burst) and all 4 of T2
    assert len([i for i in first if i in t1]) == 10
    assert sorted(i for i in first if i in t2) == sorted(t2)
    assert len(_claim(db, NOW + timedelta(seconds=1), per_minute=120)) == 2
    with db.session() as s:
        bucket = s.exec(select(RateLimit).where(RateLimit.team_id == "T1")).one()
    assert bucket.refilled_at == NOW + timedelta(seconds=1)


def test_a_workspace_whose_budget_is_spent_takes_no_place_until_it_holds_a_send(db: Database):
    spent = _due(db, "T1", 11, send_until=timedelta(minutes=5))  # the nearer deadlines
    [waiting] = _due(db, "T2", 1, send_until=timedelta(minutes=15))
    assert len(_claim(db, NOW, per_minute=120)) == 11  # T1's burst of 10, and T2's one
    [late] = [i for i in spent if i not in _claimed(db)]
    more = _due(db, "T2", 1, send_until=timedelta(minutes=15))
    # T1's bucket is empty until half a second on (2 a second): a claim of one before
    # then goes to T2, although T1's row has the nearer deadline.
    assert _claim(db, NOW + timedelta(seconds=0.4), limit=1, per_minute=120) == more
    assert waiting in _claimed(db)
    assert _claim(db, NOW + timedelta(seconds=0.5), limit=1, per_minute=120) == [late]


def _claimed(db: Database) -> set[int]:
    with db.session() as s:
        return set(s.exec(select(Checkin.id).where(Checkin.lease_owner.is_not(None))).all())


def test_the_nearest_deadline_is_claimed_first(db: Database):
    [relaxed] = _due(db, "T1", 1, send_until=timedelta(hours=12))
    [urgent] = _due(db, "T1", 1, send_until=timedelta(minutes=5))
    assert _claim(db, NOW, limit=1) == [urgent]
    assert _claim(db, NOW, limit=1) == [relaxed]


def test_her_check_ins_due_together_are_claimed_together(db: Database):
    """Two meetings at one time: her two check-ins are due together. Split between
    claims (two processes) they would be posted to her DM at once and Slack would
    refuse the second with 429, so one claim takes both, one after the other, even
    with other workspaces taking turns and her second row created last."""
    teams = [f"T{n:02d}" for n in range(6)]
    for team in teams:
        _due(db, team, 3)
    with db.session() as s:
        first = s.exec(select(Checkin).where(Checkin.team_id == "T00")).first()
        hers = [first.id, same_slot_checkin(s, first).id]
        everyone = sorted(s.exec(select(Checkin.id)).all())
    claims = [_claim(db, NOW, limit=5) for _ in range(5)]
    assert sorted(i for claim in claims for i in claim) == everyone
    [together] = [claim for claim in claims if first.id in claim]
    at = together.index(first.id)
    assert together[at : at + 2] == hers


def test_renewing_a_lease_fails_while_the_workspace_is_blocked(db: Database):
    [checkin_id] = _due(db, "T1", 1)
    assert _claim(db, NOW) == [checkin_id]
    with db.session() as s:
        ratelimits.block(s, team_id="T1", until=NOW + timedelta(seconds=2))
        assert not checkins.renew_lease(s, checkin_id=checkin_id, owner="A", now=NOW)
        checkins.defer(s, checkin_id=checkin_id, owner="A", to=NOW + timedelta(seconds=2))
        row = s.get(Checkin, checkin_id)
        # Held back until the block ends, and the wait isn't counted as a failed try.
        assert (row.lease_until, row.send_attempts) == (NOW + timedelta(seconds=2), 0)


def test_workspaces_with_equal_deadlines_take_turns_across_claims(db: Database):
    """Forty workspaces all due at once, eight rows a claim: each workspace's first
    check-in goes within five claims (the least recently served go first), not the
    lowest ids again and again."""
    teams = [f"T{n:02d}" for n in range(40)]
    owner = {}
    for team in teams:
        for checkin_id in _due(db, team, 3):
            owner[checkin_id] = team
    served: list[set[str]] = []
    for n in range(5):
        claimed = _claim(db, NOW + timedelta(seconds=n), limit=8, per_minute=6000)
        assert len(claimed) == 8
        served.append({owner[i] for i in claimed})
    assert set().union(*served) == set(teams)

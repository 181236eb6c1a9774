"""The planner for meetings that follow her calendar: check-ins come from stored
occurrences, and ``follow_occurrences`` changes only what a sync changed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import select

from bot.models import Checkin, CheckinStatus, Coachee, Meeting, MeetingSource
from bot.services.planner import follow_occurrences, plan_meeting
from bot.storage import calendars
from bot.storage.db import Database

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _at(days: int, hour: int) -> datetime:
    return NOW.replace(hour=hour) + timedelta(days=days)


def _setup(db: Database, starts: list[datetime]) -> tuple[int, int]:
    with db.session() as s:
        coachee = Coachee(team_id="T1", slack_user_id="U1", tz="UTC", onboarded_at=NOW)
        s.add(coachee)
        s.flush()
        meeting = Meeting(
            team_id="T1",
            coachee_id=coachee.id,
            name="Sync",
            start_time=time(9),
            duration_minutes=30,
            tz="UTC",
            source=MeetingSource.CALENDAR,
            calendar_series="s@test",
        )
        s.add(meeting)
        s.flush()
        _store(s, meeting.id, {f"s@test {n}": start for n, start in enumerate(starts)})
        plan_meeting(s, coachee, meeting, now=NOW)
        return coachee.id, meeting.id


def _store(session, meeting_id: int, occurrences: dict[str, datetime]) -> None:
    calendars.replace_occurrences(
        session,
        meeting_id=meeting_id,
        occurrences=[(k, s, s + timedelta(minutes=30)) for k, s in occurrences.items()],
    )


def _sync(db: Database, coachee_id: int, meeting_id: int, occurrences, moved=()) -> int:
    with db.session() as s:
        coachee, meeting = s.get(Coachee, coachee_id), s.get(Meeting, meeting_id)
        _store(s, meeting_id, occurrences)
        return follow_occurrences(s, coachee, meeting, now=NOW, moved=moved)


def _rows(db: Database) -> dict[tuple[datetime, str], tuple[int, str]]:
    with db.session() as s:
        return {
            (c.occurrence_start, c.kind): (c.id, c.status) for c in s.exec(select(Checkin)).all()
        }


def test_plan_meeting_uses_the_stored_occurrences_within_the_horizon(db):
    _setup(db, [_at(0, 9), _at(3, 9), _at(9, 9)])  # the last is past the 8-day horizon

    assert {start for start, _ in _rows(db)} == {_at(0, 9), _at(3, 9)}


def test_a_whole_series_shifted_an_hour_moves_every_row(db):
    starts = [_at(d, 9) for d in range(4)]
    coachee_id, meeting_id = _setup(db, starts)
    before = _rows(db)
    shifted = {f"s@test {n}": s + timedelta(hours=1) for n, s in enumerate(starts)}
    moved = [(s, s + timedelta(hours=1)) for s in starts]

    _sync(db, coachee_id, meeting_id, shifted, moved)

    after = _rows(db)
    assert len(after) == len(before)
    for start in starts:
        for kind in ("pre", "post"):
            assert after[(start + timedelta(hours=1), kind)] == (
                before[(start, kind)][0],
                "pending",
            )


def test_two_occurrences_swapped_end_with_one_pending_pair_each(db):
    a, b = _at(1, 9), _at(2, 9)
    coachee_id, meeting_id = _setup(db, [a, b])

    _sync(db, coachee_id, meeting_id, {"s@test 0": b, "s@test 1": a}, [(a, b), (b, a)])

    live = [slot for slot, (_, status) in _rows(db).items() if status == "pending"]
    assert sorted(live) == sorted([(a, "pre"), (a, "post"), (b, "pre"), (b, "post")])


def test_a_sent_check_in_moves_with_its_occurrence_and_is_not_sent_again(db):
    a = _at(0, 9)
    coachee_id, meeting_id = _setup(db, [a])
    with db.session() as s:
        s.execute(
            sa.update(Checkin)
            .where(Checkin.kind == "pre")
            .values(status=CheckinStatus.SENT, sent_at=NOW)
        )
    later = a + timedelta(hours=2)

    _sync(db, coachee_id, meeting_id, {"s@test 0": later}, [(a, later)])

    rows = _rows(db)
    assert rows[(later, "pre")][1] == "sent"
    assert rows[(later, "post")][1] == "pending"
    assert (a, "pre") not in rows and (a, "post") not in rows


def test_a_cancelled_pair_comes_back_when_the_occurrence_does(db):
    a, b = _at(1, 9), _at(2, 9)
    coachee_id, meeting_id = _setup(db, [a, b])
    ids = _rows(db)

    assert _sync(db, coachee_id, meeting_id, {"s@test 0": a}) == 2
    assert _rows(db)[(b, "pre")] == (ids[(b, "pre")][0], "cancelled")
    assert _sync(db, coachee_id, meeting_id, {"s@test 0": a, "s@test 1": b}) == 2
    assert _rows(db)[(b, "pre")] == (ids[(b, "pre")][0], "pending")
    assert _sync(db, coachee_id, meeting_id, {"s@test 0": a, "s@test 1": b}) == 0

"""Calendar feeds and occurrences: one link per person, claimed for a sync by one
process at a time, its failures remembered, and only what changed written."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.models import (
    CALENDAR_KEY_MAX,
    CalendarFeed,
    CalendarOccurrence,
    Checkin,
    Coachee,
    Meeting,
    MeetingSource,
)
from bot.storage import calendars
from bot.storage.db import Database

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SEALED = "gAAAAAB-sealed-link-stand-in"
_people = itertools.count()


def _coachee(db: Database, team_id: str = "T1") -> int:
    with db.session() as s:
        coachee = Coachee(team_id=team_id, slack_user_id=f"U{next(_people)}", onboarded_at=NOW)
        s.add(coachee)
        s.flush()
        return coachee.id


def _meeting(db: Database, coachee_id: int, *, series: str | None = "uid-1@google.com") -> int:
    with db.session() as s:
        meeting = Meeting(
            team_id="T1",
            coachee_id=coachee_id,
            name="Weekly team sync",
            weekdays=1,
            start_time=time(9, 0),
            duration_minutes=30,
            tz="Europe/Berlin",
            source=MeetingSource.CALENDAR if series else MeetingSource.MANUAL,
            calendar_series=series,
        )
        s.add(meeting)
        s.flush()
        return meeting.id


def _feed(db: Database, coachee_id: int | None = None, *, now: datetime = NOW) -> int:
    coachee_id = coachee_id or _coachee(db)
    with db.session() as s:
        feed = calendars.save_feed(
            s,
            team_id="T1",
            coachee_id=coachee_id,
            url_sealed=SEALED,
            host="calendar.google.com",
            now=now,
        )
        return feed.id


def _get(db: Database, feed_id: int) -> CalendarFeed:
    with db.session() as s:
        return calendars.feed_by_id(s, feed_id=feed_id)


def _claim(db: Database, *, now: datetime, owner: str = "A", limit: int = 10) -> list[int]:
    with db.session() as s:
        return calendars.claim_due_feeds(s, now=now, owner=owner, limit=limit)


def _record(db: Database, feed_id: int, *, now: datetime, owner: str = "A", **kw) -> bool:
    kw.setdefault("next_sync_at", now + timedelta(minutes=20))
    with db.session() as s:
        return calendars.record_sync(s, feed_id=feed_id, owner=owner, now=now, **kw)


# -- the link --------------------------------------------------------------------------


def test_a_saved_link_is_due_in_twenty_minutes(db: Database):
    coachee_id = _coachee(db)
    feed_id = _feed(db, coachee_id)
    with db.session() as s:
        feed = calendars.get_feed(s, coachee_id=coachee_id)
    assert feed.id == feed_id
    assert (feed.team_id, feed.url_sealed, feed.host) == ("T1", SEALED, "calendar.google.com")
    assert feed.next_sync_at == NOW + timedelta(minutes=20)
    assert feed.created_at == feed.updated_at == NOW
    assert feed.last_synced_at is feed.failing_since is feed.lease_owner is None
    assert _claim(db, now=NOW + timedelta(minutes=19)) == []
    assert _claim(db, now=NOW + timedelta(minutes=20)) == [feed_id]


def test_a_new_link_replaces_the_old_one_and_forgets_what_was_learnt(db: Database):
    coachee_id = _coachee(db)
    feed_id = _feed(db, coachee_id)
    later = NOW + timedelta(hours=30)
    assert _claim(db, now=NOW + timedelta(minutes=20)) == [feed_id]
    assert _record(db, feed_id, now=NOW + timedelta(minutes=20), ok=True, etag='"v1"')
    assert _claim(db, now=NOW + timedelta(hours=1)) == [feed_id]
    assert _record(db, feed_id, now=NOW + timedelta(hours=1), ok=False, error="not_found")
    with db.session() as s:
        calendars.mark_failure_noticed(s, feed_id=feed_id, now=later)
    assert _claim(db, now=later, owner="B") == [feed_id]  # a sync of the old link is running

    with db.session() as s:
        feed = calendars.save_feed(
            s,
            team_id="T1",
            coachee_id=coachee_id,
            url_sealed="gAAAA-another",
            host="outlook.office365.com",
            now=later,
        )
        assert feed.url_sealed == "gAAAA-another"  # the returned row is the new one
    feed = _get(db, feed_id)
    assert feed.id == feed_id  # one calendar per person: replaced, not added
    assert (feed.url_sealed, feed.host) == ("gAAAA-another", "outlook.office365.com")
    assert feed.etag is feed.last_modified is None
    assert feed.failing_since is feed.last_error is feed.failure_noticed_at is None
    assert feed.last_synced_at is feed.last_ok_at is None
    assert feed.lease_owner is feed.lease_until is None
    assert feed.next_sync_at == later + timedelta(minutes=20)
    assert (feed.created_at, feed.updated_at) == (NOW, later)
    # The old link's sync can record nothing over the new one.
    assert not _record(db, feed_id, now=later, owner="B", ok=True, etag='"old"')
    with db.session() as s:
        assert not calendars.renew_feed_lease(s, feed_id=feed_id, owner="B", now=later)
    assert _get(db, feed_id).etag is None


def test_one_feed_per_person(db: Database):
    coachee_id = _coachee(db)
    _feed(db, coachee_id)
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            CalendarFeed(
                team_id="T1",
                coachee_id=coachee_id,
                url_sealed=SEALED,
                host="h",
                next_sync_at=NOW,
            )
        )
        s.flush()


def test_delete_feed_keeps_her_calendar_meetings(db: Database):
    coachee_id = _coachee(db)
    _feed(db, coachee_id)
    meeting_id = _meeting(db, coachee_id)
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=[_occ("k1", 1)])
    with db.session() as s:
        assert calendars.delete_feed(s, coachee_id=coachee_id)
        assert not calendars.delete_feed(s, coachee_id=coachee_id)
    with db.session() as s:
        assert calendars.get_feed(s, coachee_id=coachee_id) is None
        assert [m.id for m in calendars.calendar_meetings(s, coachee_id=coachee_id)] == [meeting_id]
        assert len(_occurrences(s, meeting_id)) == 1


def test_the_sealed_link_is_not_in_the_row_repr(db: Database):
    feed = _get(db, _feed(db))
    assert SEALED not in repr(feed) and SEALED not in str(feed)
    assert "calendar.google.com" in repr(feed)


def test_reseal_feed(db: Database):
    feed_id = _feed(db)
    with db.session() as s:
        assert calendars.reseal_feed(s, feed_id=feed_id, url_sealed="gAAAA-resealed")
        assert not calendars.reseal_feed(s, feed_id=feed_id + 99, url_sealed="x")
    assert _get(db, feed_id).url_sealed == "gAAAA-resealed"


# -- claiming a sync -----------------------------------------------------------------------


def test_due_feeds_are_claimed_longest_overdue_first(db: Database):
    late = _feed(db, now=NOW - timedelta(minutes=30))
    later = _feed(db, now=NOW - timedelta(minutes=10))
    _feed(db, now=NOW)  # due in 20 minutes
    at = NOW + timedelta(minutes=15)  # `late` due 10 minutes ago, `later` 5
    assert _claim(db, now=at, limit=1) == [late]
    assert _claim(db, now=at) == [later]  # `late` is leased
    assert _claim(db, now=at) == []
    feed = _get(db, late)
    assert feed.lease_owner == "A"
    assert feed.lease_until == at + timedelta(seconds=calendars.LEASE_SECONDS)


def test_two_owners_never_get_the_same_feed(db: Database):
    feed_ids = {_feed(db, now=NOW - timedelta(minutes=20)) for _ in range(40)}
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(4)

    def claimer(owner: str) -> None:
        start.wait()
        mine = claimed.setdefault(owner, [])
        while ids := _claim(db, now=NOW, owner=owner, limit=3):
            mine += ids

    threads = [threading.Thread(target=claimer, args=(f"P{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in claimed.values() for i in ids]
    assert sorted(every) == sorted(feed_ids)  # all claimed, none twice
    with db.session() as s:
        owners = dict(s.execute(sa.select(CalendarFeed.id, CalendarFeed.lease_owner)).all())
    for owner, ids in claimed.items():
        assert all(owners[i] == owner for i in ids)


def test_a_claim_held_open_is_skipped_not_waited_for(db: Database):
    if db.dialect == "sqlite":
        pytest.skip("SQLite claims are serial: the second waits for the first to commit")
    first, second = (_feed(db, now=NOW - timedelta(minutes=20)) for _ in range(2))
    with db.session() as s:
        assert calendars.claim_due_feeds(s, now=NOW, owner="A", limit=1) == [first]
        other: list[int] = []
        thread = threading.Thread(target=lambda: other.extend(_claim(db, now=NOW, owner="B")))
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert other == [second]


def test_an_expired_lease_is_taken_over(db: Database):
    feed_id = _feed(db, now=NOW - timedelta(minutes=20))
    assert _claim(db, now=NOW, owner="A") == [feed_id]
    assert _claim(db, now=NOW + timedelta(seconds=119), owner="B") == []
    with db.session() as s:  # A is alive and renews
        assert calendars.renew_feed_lease(
            s, feed_id=feed_id, owner="A", now=NOW + timedelta(seconds=60)
        )
    assert _claim(db, now=NOW + timedelta(seconds=179), owner="B") == []
    # A dies: its lease runs out and B takes the feed.
    taken_at = NOW + timedelta(seconds=181)
    assert _claim(db, now=taken_at, owner="B") == [feed_id]
    with db.session() as s:
        assert not calendars.renew_feed_lease(s, feed_id=feed_id, owner="A", now=taken_at)
    assert not _record(db, feed_id, now=taken_at, owner="A", ok=True)
    assert _record(db, feed_id, now=taken_at, owner="B", ok=True)
    assert _get(db, feed_id).last_ok_at == taken_at


def test_renew_after_our_own_lease_expired_fails(db: Database):
    feed_id = _feed(db, now=NOW - timedelta(minutes=20))
    assert _claim(db, now=NOW) == [feed_id]
    with db.session() as s:
        late = NOW + timedelta(seconds=calendars.LEASE_SECONDS + 1)
        assert not calendars.renew_feed_lease(s, feed_id=feed_id, owner="A", now=late)


def test_release_gives_the_lease_up(db: Database):
    feed_id = _feed(db, now=NOW - timedelta(minutes=20))
    assert _claim(db, now=NOW) == [feed_id]
    with db.session() as s:
        assert not calendars.release_feed(s, feed_id=feed_id, owner="B")
        assert calendars.release_feed(s, feed_id=feed_id, owner="A")
    assert _claim(db, now=NOW, owner="B") == [feed_id]
    with db.session() as s:
        retry = NOW + timedelta(hours=1)
        assert calendars.release_feed(s, feed_id=feed_id, owner="B", next_sync_at=retry)
    assert _claim(db, now=NOW + timedelta(minutes=59)) == []
    assert _claim(db, now=NOW + timedelta(hours=1)) == [feed_id]


# -- recording a sync -------------------------------------------------------------------


def test_a_good_sync_stores_validators_and_frees_the_feed(db: Database):
    feed_id = _feed(db, now=NOW - timedelta(minutes=20))
    assert _claim(db, now=NOW) == [feed_id]
    next_at = NOW + timedelta(minutes=20)
    assert _record(
        db,
        feed_id,
        now=NOW,
        ok=True,
        etag='W/"abc"',
        last_modified="Mon, 02 Mar 2026 07:59:00 GMT",
        next_sync_at=next_at,
    )
    feed = _get(db, feed_id)
    assert (feed.etag, feed.last_modified) == ('W/"abc"', "Mon, 02 Mar 2026 07:59:00 GMT")
    assert feed.last_synced_at == feed.last_ok_at == feed.updated_at == NOW
    assert feed.next_sync_at == next_at
    assert feed.lease_owner is feed.lease_until is None
    assert _claim(db, now=next_at - timedelta(seconds=1)) == []
    assert _claim(db, now=next_at) == [feed_id]


def test_failures_remember_when_they_began_and_a_success_ends_them(db: Database):
    feed_id = _feed(db, now=NOW - timedelta(minutes=20))
    assert _claim(db, now=NOW) == [feed_id]
    assert _record(db, feed_id, now=NOW, ok=True, etag='"v1"', last_modified="then")
    t1, t2, t3 = (NOW + timedelta(hours=h) for h in (1, 2, 3))

    assert _claim(db, now=t1) == [feed_id]
    assert _record(db, feed_id, now=t1, ok=False, error="timeout")
    feed = _get(db, feed_id)
    assert (feed.failing_since, feed.last_error, feed.last_synced_at) == (t1, "timeout", t1)
    assert feed.last_ok_at == NOW
    assert (feed.etag, feed.last_modified) == ('"v1"', "then")  # a failure keeps them

    assert _claim(db, now=t2) == [feed_id]
    assert _record(db, feed_id, now=t2, ok=False, error="not_found")
    feed = _get(db, feed_id)
    assert (feed.failing_since, feed.last_error) == (t1, "not_found")  # still since t1
    with db.session() as s:
        assert calendars.mark_failure_noticed(s, feed_id=feed_id, now=t2)

    assert _claim(db, now=t3) == [feed_id]
    assert _record(db, feed_id, now=t3, ok=True)  # a 200 without validators
    feed = _get(db, feed_id)
    assert feed.failing_since is feed.last_error is feed.failure_noticed_at is None
    assert feed.etag is feed.last_modified is None
    assert feed.last_ok_at == t3


@pytest.mark.parametrize(
    ("ok", "error"),
    [
        (False, None),
        (True, "timeout"),
        (False, "https://calendar.google.com/calendar/ical/x/private-y/basic.ics"),
        (False, "HTTP 404 Not Found"),
        (False, "a" * 33),
        (False, ""),
    ],
)
def test_record_sync_takes_an_error_code_exactly_on_failure(db: Database, ok, error):
    feed_id = _feed(db, now=NOW - timedelta(minutes=20))
    assert _claim(db, now=NOW) == [feed_id]
    with pytest.raises(ValueError) as caught:
        _record(db, feed_id, now=NOW, ok=ok, error=error)
    assert "calendar.google.com" not in str(caught.value)
    assert _get(db, feed_id).lease_owner == "A"  # nothing written


def test_an_overlong_validator_is_not_kept(db: Database):
    feed_id = _feed(db, now=NOW - timedelta(minutes=20))
    assert _claim(db, now=NOW) == [feed_id]
    assert _record(db, feed_id, now=NOW, ok=True, etag='"' + "e" * 300 + '"', last_modified="x")
    feed = _get(db, feed_id)
    assert (feed.etag, feed.last_modified) == (None, "x")


def test_failing_feeds_are_told_once_per_run_of_failures(db: Database):
    old = _feed(db, now=NOW - timedelta(minutes=20))
    recent = _feed(db, now=NOW - timedelta(minutes=20))
    healthy = _feed(db, now=NOW - timedelta(minutes=20))
    assert sorted(_claim(db, now=NOW)) == sorted([old, recent, healthy])
    day_later = NOW + timedelta(hours=24)
    far = NOW + timedelta(days=30)
    _record(db, old, now=NOW, ok=False, error="forbidden", next_sync_at=day_later)
    _record(db, healthy, now=NOW, ok=True, next_sync_at=far)
    assert _claim(db, now=NOW + timedelta(hours=2)) == [recent]  # its first lease ran out
    _record(db, recent, now=NOW + timedelta(hours=2), ok=False, error="timeout", next_sync_at=far)

    with db.session() as s:
        failing = calendars.feeds_failing_since(s, before=day_later - timedelta(hours=24), limit=10)
        assert [f.id for f in failing] == [old]
        assert failing[0].last_error == "forbidden"
        assert calendars.mark_failure_noticed(s, feed_id=old, now=day_later)
        assert not calendars.mark_failure_noticed(s, feed_id=old, now=day_later)  # once
        assert not calendars.mark_failure_noticed(s, feed_id=healthy, now=day_later)
    with db.session() as s:
        assert calendars.feeds_failing_since(s, before=NOW, limit=10) == []
        two_hours_on = NOW + timedelta(hours=26)
        still = calendars.feeds_failing_since(s, before=two_hours_on, limit=10)
        assert [f.id for f in still] == [recent]
    assert _get(db, old).failure_noticed_at == day_later
    # Still failing: not told again. Fixed, then failing again: a new run, told again.
    assert _claim(db, now=day_later) == [old]
    _record(db, old, now=day_later, ok=False, error="forbidden")
    assert _get(db, old).failure_noticed_at == day_later
    assert _claim(db, now=day_later + timedelta(hours=1)) == [old]
    _record(db, old, now=day_later + timedelta(hours=1), ok=True)
    assert _claim(db, now=day_later + timedelta(hours=2)) == [old]
    _record(db, old, now=day_later + timedelta(hours=2), ok=False, error="gone")
    with db.session() as s:
        later = day_later + timedelta(hours=26)
        assert old in [f.id for f in calendars.feeds_failing_since(s, before=later, limit=10)]
        assert calendars.mark_failure_noticed(s, feed_id=old, now=later)


# -- syncing before a check-in ------------------------------------------------------------


def test_bring_forward_only_moves_a_sync_earlier(db: Database):
    feed_id = _feed(db)  # due at NOW + 20 min
    with db.session() as s:
        assert not calendars.bring_forward(s, feed_id=feed_id, to=NOW + timedelta(minutes=30))
        assert not calendars.bring_forward(s, feed_id=feed_id, to=NOW + timedelta(minutes=20))
        assert calendars.bring_forward(s, feed_id=feed_id, to=NOW + timedelta(minutes=5))
    assert _get(db, feed_id).next_sync_at == NOW + timedelta(minutes=5)


def test_next_pre_checkin_due_counts_only_her_pending_calendar_check_ins(db: Database):
    coachee_id = _coachee(db)
    calendar_meeting = _meeting(db, coachee_id)
    typed_meeting = _meeting(db, coachee_id, series=None)
    someone_else = _meeting(db, _coachee(db))

    def checkin(meeting_id, minutes, *, kind="pre", status="pending", coachee=coachee_id):
        due = NOW + timedelta(minutes=minutes)
        return Checkin(
            team_id="T1",
            coachee_id=coachee,
            meeting_id=meeting_id,
            kind=kind,
            occurrence_start=due + timedelta(minutes=15),
            due_at=due,
            send_until=due + timedelta(minutes=15),
            expires_at=due + timedelta(minutes=15),
            status=status,
        )

    with db.session() as s:
        s.add(checkin(calendar_meeting, 60, status="sent"))
        s.add(checkin(calendar_meeting, 70, kind="post"))
        s.add(checkin(typed_meeting, 30))
        s.add(checkin(someone_else, 10, coachee=_coachee_of(s, someone_else)))
        s.add(checkin(calendar_meeting, -5))  # overdue, not after `after`
        s.add(checkin(calendar_meeting, 240))
        s.add(checkin(calendar_meeting, 90))
    with db.session() as s:
        due = calendars.next_pre_checkin_due(s, coachee_id=coachee_id, after=NOW)
        assert due == NOW + timedelta(minutes=90)
        after = NOW + timedelta(minutes=90)
        assert calendars.next_pre_checkin_due(s, coachee_id=coachee_id, after=after) == (
            NOW + timedelta(minutes=240)
        )
        far = NOW + timedelta(days=1)
        assert calendars.next_pre_checkin_due(s, coachee_id=coachee_id, after=far) is None


def _coachee_of(s, meeting_id: int) -> int:
    return s.get(Meeting, meeting_id).coachee_id


# -- her calendar meetings ----------------------------------------------------------------


def test_calendar_meetings_are_hers_and_from_the_calendar(db: Database):
    coachee_id = _coachee(db)
    ticked = _meeting(db, coachee_id, series="a@google.com")
    unticked = _meeting(db, coachee_id, series="b@google.com")
    _meeting(db, coachee_id, series=None)
    _meeting(db, _coachee(db), series="a@google.com")  # someone else's, same series
    with db.session() as s:
        s.get(Meeting, unticked).active = False
    with db.session() as s:
        assert [m.id for m in calendars.calendar_meetings(s, coachee_id=coachee_id)] == [ticked]
        every = calendars.calendar_meetings(s, coachee_id=coachee_id, include_inactive=True)
        assert [m.id for m in every] == [ticked, unticked]


def test_a_typed_meeting_is_manual_by_default(db: Database):
    meeting_id = _meeting(db, _coachee(db), series=None)
    with db.session() as s:
        meeting = s.get(Meeting, meeting_id)
        assert (meeting.source, meeting.calendar_series) == ("manual", None)


def test_one_meeting_per_series_of_hers_and_any_number_typed(db: Database):
    coachee_id = _coachee(db)
    _meeting(db, coachee_id, series=None)
    _meeting(db, coachee_id, series=None)
    _meeting(db, coachee_id, series="a@google.com")
    with pytest.raises(IntegrityError):
        _meeting(db, coachee_id, series="a@google.com")


# -- occurrences -----------------------------------------------------------------------


def _occ(key: str, day: int, *, hour: int = 9, minutes: int = 30):
    start = NOW.replace(hour=hour) + timedelta(days=day)
    return key, start, start + timedelta(minutes=minutes)


def _occurrences(s, meeting_id: int) -> list[tuple[str, datetime, datetime]]:
    rows = s.exec(
        select(CalendarOccurrence)
        .where(CalendarOccurrence.meeting_id == meeting_id)
        .order_by(CalendarOccurrence.key)
    ).all()
    return [(r.key, r.start, r.end) for r in rows]


class _Writes:
    """Counts INSERT, UPDATE and DELETE statements sent to the database."""

    def __init__(self, db: Database):
        self.statements: list[str] = []
        self._engine = db.engine

    def __enter__(self):
        sa.event.listen(self._engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.statements.append(statement)


def test_replace_occurrences_writes_only_what_changed(db: Database):
    meeting_id = _meeting(db, _coachee(db))
    first = [_occ("s 20260302T080000Z", 0), _occ("s 20260309T080000Z", 7), _occ("one-off", 3)]
    with db.session() as s:
        assert calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=first) == (
            3,
            0,
            0,
        )
    with db.session() as s:
        assert _occurrences(s, meeting_id) == sorted(first)
        assert {o.team_id for o in s.exec(select(CalendarOccurrence))} == {"T1"}

    # The same again (in another order): nothing is written.
    with _Writes(db) as writes, db.session() as s:
        changes = calendars.replace_occurrences(
            s, meeting_id=meeting_id, occurrences=list(reversed(first))
        )
    assert changes == (0, 0, 0) and changes.added == 0
    assert writes.statements == []

    # One moved (same key, new start), one cancelled, one new.
    moved = _occ("s 20260309T080000Z", 7, hour=14)
    second = [first[0], moved, _occ("s 20260316T080000Z", 14)]
    with _Writes(db) as writes, db.session() as s:
        changes = calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=second)
    assert changes == calendars.OccurrenceChanges(added=1, removed=1, moved=1)
    assert len(writes.statements) == 3  # one delete, one update, one insert
    with db.session() as s:
        assert _occurrences(s, meeting_id) == sorted(second)

    # Only the end changed (it got longer): moved too.
    longer = _occ("s 20260302T080000Z", 0, minutes=60)
    with db.session() as s:
        changes = calendars.replace_occurrences(
            s, meeting_id=meeting_id, occurrences=[longer, *second[1:]]
        )
    assert changes == (0, 0, 1)

    # Equal instants in another zone are not a change.
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    same = [(k, a.astimezone(berlin), b.astimezone(berlin)) for k, a, b in [longer, *second[1:]]]
    with _Writes(db) as writes, db.session() as s:
        assert calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=same) == (
            0,
            0,
            0,
        )
    assert writes.statements == []

    with db.session() as s:
        assert calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=[]) == (0, 3, 0)
        assert _occurrences(s, meeting_id) == []


def test_replace_occurrences_of_one_meeting_leaves_the_others(db: Database):
    coachee_id = _coachee(db)
    a = _meeting(db, coachee_id, series="a")
    b = _meeting(db, coachee_id, series="b")
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=a, occurrences=[_occ("same-key", 1)])
        calendars.replace_occurrences(s, meeting_id=b, occurrences=[_occ("same-key", 2)])
    with db.session() as s:
        assert calendars.replace_occurrences(s, meeting_id=a, occurrences=[]) == (0, 1, 0)
        assert [k for k, *_ in _occurrences(s, b)] == ["same-key"]


def test_a_window_limits_what_can_be_removed(db: Database):
    meeting_id = _meeting(db, _coachee(db))
    past, soon, later = _occ("past", -3), _occ("soon", 2), _occ("later", 20)
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=[past, soon, later])
    window = (NOW, NOW + timedelta(days=14))
    moved_in = _occ("later", 10)  # the occurrence outside the window moved into it
    with db.session() as s:
        changes = calendars.replace_occurrences(
            s, meeting_id=meeting_id, occurrences=[moved_in], window=window
        )
    assert changes == (0, 1, 1)  # "soon" is gone; "past" is outside the window, kept
    with db.session() as s:
        assert _occurrences(s, meeting_id) == sorted([past, moved_in])


@pytest.mark.parametrize(
    "occurrences",
    [
        [_occ("k", 1), _occ("k", 2)],
        [("", NOW, NOW + timedelta(minutes=30))],
        [("k" * (CALENDAR_KEY_MAX + 1), NOW, NOW + timedelta(minutes=30))],
        [("k", NOW, NOW - timedelta(minutes=30))],
        [("k", NOW.replace(tzinfo=None), NOW.replace(tzinfo=None) + timedelta(minutes=30))],
    ],
)
def test_replace_occurrences_refuses_bad_input_and_writes_nothing(db: Database, occurrences):
    meeting_id = _meeting(db, _coachee(db))
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=[_occ("kept", 1)])
    with pytest.raises(ValueError), db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=occurrences)
    with db.session() as s:
        assert [k for k, *_ in _occurrences(s, meeting_id)] == ["kept"]


def test_a_key_as_long_as_allowed_is_stored(db: Database):
    meeting_id = _meeting(db, _coachee(db))
    key = "k" * CALENDAR_KEY_MAX
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=[_occ(key, 1)])
    with db.session() as s:
        assert [k for k, *_ in _occurrences(s, meeting_id)] == [key]


def test_occurrences_of_a_missing_meeting(db: Database):
    with pytest.raises(LookupError), db.session() as s:
        calendars.replace_occurrences(s, meeting_id=12345, occurrences=[_occ("k", 1)])


def test_occurrences_between_by_start(db: Database):
    meeting_id = _meeting(db, _coachee(db))
    rows = [_occ("d0", 0), _occ("d1", 1), _occ("d2", 2), _occ("d3", 3)]
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=rows)
    with db.session() as s:
        found = calendars.occurrences_between(
            s, meeting_id=meeting_id, start=rows[1][1], end=rows[3][1]
        )
    assert [(o.key, o.start, o.end) for o in found] == rows[1:3]  # [start, end)
    assert found[0].start.tzinfo is not None


def test_prune_occurrences_forgets_the_ones_that_ended(db: Database):
    meeting_id = _meeting(db, _coachee(db))
    rows = [_occ("old", -7), _occ("running", 0), _occ("next", 7)]
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=rows)
    with db.session() as s:
        at = NOW.replace(hour=9, minute=10)  # "running" started at 09:00, ends at 09:30
        assert calendars.prune_occurrences(s, meeting_id=meeting_id, ended_before=at) == 1
    with db.session() as s:
        assert [k for k, *_ in _occurrences(s, meeting_id)] == ["next", "running"]


# -- cascades --------------------------------------------------------------------------


def test_deleting_a_meeting_deletes_its_occurrences(db: Database):
    coachee_id = _coachee(db)
    gone, kept = _meeting(db, coachee_id, series="a"), _meeting(db, coachee_id, series="b")
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=gone, occurrences=[_occ("k", 1)])
        calendars.replace_occurrences(s, meeting_id=kept, occurrences=[_occ("k", 1)])
    with db.session() as s:
        s.execute(sa.delete(Meeting).where(Meeting.id == gone))
    with db.session() as s:
        assert _occurrences(s, gone) == [] and len(_occurrences(s, kept)) == 1


def test_deleting_her_deletes_her_feed_meetings_and_occurrences(db: Database):
    coachee_id, other = _coachee(db), _coachee(db)
    _feed(db, coachee_id)
    _feed(db, other)
    meeting_id = _meeting(db, coachee_id)
    with db.session() as s:
        calendars.replace_occurrences(s, meeting_id=meeting_id, occurrences=[_occ("k", 1)])
    with db.session() as s:
        s.execute(sa.delete(Coachee).where(Coachee.id == coachee_id))
    with db.session() as s:
        assert calendars.get_feed(s, coachee_id=coachee_id) is None
        assert calendars.get_feed(s, coachee_id=other) is not None
        assert s.get(Meeting, meeting_id) is None
        assert s.exec(select(CalendarOccurrence)).all() == []

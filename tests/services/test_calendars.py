"""Her calendar through the service: connect, choose, sync, fail, disconnect, forget.

Real databases (SQLite, or PostgreSQL with TEST_DATABASE_URL), a feed server on
127.0.0.1 serving iCalendar written here, the real guarded client (loopback allowed, as
in tests only) and a clock the tests move. Every link carries SECRET, which must never
reach an exception, a log line, the export or the database unsealed.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import select

from bot.ical.client import FeedClient
from bot.models import (
    Attempt,
    CalendarFeed,
    CalendarOccurrence,
    Checkin,
    CheckinStatus,
    Coachee,
    Meeting,
    MeetingSource,
)
from bot.services.calendars import (
    CalendarChoice,
    CalendarProblem,
    CalendarService,
    CalendarUnavailable,
    FailingNotice,
    lineage,
)
from bot.services.coaching import NotStarted
from bot.services.meetings import MeetingInput, MeetingService, UnknownMeeting
from bot.services.pauses import PauseService
from bot.services.planner import extend_horizons
from bot.services.privacy import PrivacyService
from bot.storage import calendars
from bot.storage.crypto import SecretBox
from bot.storage.db import Database
from tests.ical.server import FeedServer, calendar, status
from tests.support.clock import FakeClock

SECRET = "private-5ec4e7c0ffee"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday; Berlin is UTC+1 until 29 March
BERLIN = "Europe/Berlin"
_people = itertools.count(1)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# -- iCalendar written for the tests ---------------------------------------------------


def ics(*events: str, stamp: str = "20260301T000000Z") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Voice Coach tests//EN", *events]
    return ("\r\n".join([*lines, "END:VCALENDAR", ""])).replace("{STAMP}", stamp).encode()


def event(
    uid: str,
    summary: str,
    start: str,
    minutes: int,
    *,
    tz: str = BERLIN,
    rrule: str | None = None,
    extra: tuple[str, ...] = (),
) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:{STAMP}",
        f"SUMMARY:{summary}",
        f"DTSTART;TZID={tz}:{start}",
        f"DURATION:PT{minutes}M",
    ]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    return "\r\n".join([*lines, *extra, "END:VEVENT"])


SYNC = "sync@test"  # Weekly team sync, Mondays 10:00 Berlin, 30 min
STANDUP = "standup@test"  # Standup, weekdays 09:30 Berlin, 15 min
REVIEW = "review@test"  # Quarterly review, once, Wed 4 March 14:00 Berlin


def weekly_sync(*extra: str) -> str:
    return event(
        SYNC, "Weekly team sync", "20260302T100000", 30, rrule="FREQ=WEEKLY;BYDAY=MO", extra=extra
    )


def standup(rrule: str = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", *extra: str) -> str:
    return event(STANDUP, "Standup", "20260302T093000", 15, rrule=rrule, extra=extra)


def review() -> str:
    return event(REVIEW, "Quarterly review", "20260304T140000", 60)


FIRST = ics(weekly_sync(), standup(), review())


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture
def server():
    feed = FeedServer()
    yield feed
    feed.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def box() -> SecretBox:
    return SecretBox([Fernet.generate_key().decode()])


@pytest.fixture
def client():
    feed_client = FeedClient(allow_loopback=True, timeout=5)
    yield feed_client
    feed_client.close()


@pytest.fixture
def service(db, clock, client, box) -> CalendarService:
    return CalendarService(db, clock, client=client, box=box)


def person(db: Database, *, tz: str = BERLIN) -> str:
    user_id = f"U{next(_people)}"
    with db.session() as s:
        s.add(
            Coachee(
                team_id="T1",
                slack_user_id=user_id,
                tz=tz,
                current_step=3,
                start_step=3,
                current_challenge_id="answer-any-thoughts",
                onboarded_at=NOW - timedelta(days=1),
            )
        )
    return user_id


def serve(server: FeedServer, body: bytes, *, name: str = "basic", **validators) -> str:
    path = f"/calendar/ical/{name}/{SECRET}/basic.ics"
    server.routes[path] = calendar(body, **validators)
    return server.url(path)


def no_email(team_id: str, user_id: str) -> None:
    return None


def connected(service: CalendarService, db, server, body: bytes = FIRST, **kw) -> tuple[str, str]:
    user = person(db, **kw)
    url = serve(server, body, name=user)
    service.connect(team_id="T1", user_id=user, url=url, email=None)
    return user, url


def pending(db: Database, user: str | None = None) -> set[tuple[str, str, datetime]]:
    """(meeting, kind, due) of every pending check-in (hers only, with ``user``)."""
    with db.session() as s:
        query = (
            select(Meeting.name, Checkin.kind, Checkin.due_at)
            .join(Meeting, Meeting.id == Checkin.meeting_id)
            .join(Coachee, Coachee.id == Checkin.coachee_id)
            .where(Checkin.status == CheckinStatus.PENDING)
        )
        if user:
            query = query.where(Coachee.slack_user_id == user)
        return {tuple(row) for row in s.execute(query).all()}


def checkins_of(meeting: str, *starts_and_minutes: tuple[datetime, int]) -> set:
    """The pre (15 min before) and post (5 min after the end) check-ins of occurrences."""
    planned = set()
    for start, minutes in starts_and_minutes:
        planned.add((meeting, "pre", start - timedelta(minutes=15)))
        planned.add((meeting, "post", start + timedelta(minutes=minutes + 5)))
    return planned


def snapshot(db: Database) -> tuple:
    with db.session() as s:
        return (
            sorted(
                tuple(r)
                for r in s.execute(
                    select(Meeting.id, Meeting.name, Meeting.active, Meeting.updated_at)
                ).all()
            ),
            sorted(
                tuple(r)
                for r in s.execute(
                    select(
                        CalendarOccurrence.id,
                        CalendarOccurrence.key,
                        CalendarOccurrence.start,
                        CalendarOccurrence.end,
                    )
                ).all()
            ),
            sorted(
                tuple(r)
                for r in s.execute(
                    select(Checkin.id, Checkin.status, Checkin.due_at, Checkin.occurrence_start)
                ).all()
            ),
        )


def feed_of(db: Database, user: str) -> CalendarFeed | None:
    with db.session() as s:
        return s.exec(
            select(CalendarFeed)
            .join(Coachee, Coachee.id == CalendarFeed.coachee_id)
            .where(Coachee.slack_user_id == user)
        ).first()


def due_now(db: Database, clock: FakeClock) -> None:
    """Make every feed due (as if its 20 minutes had passed)."""
    with db.session() as s:
        s.execute(sa.update(CalendarFeed).values(next_sync_at=clock.now()))


# -- connect and choose ------------------------------------------------------------------


def test_connect_shows_the_series_of_the_next_14_days_and_stores_only_the_sealed_link(
    db, service, server, box
):
    user = person(db)
    url = serve(server, FIRST, name=user)

    choice = service.connect(team_id="T1", user_id=user, url=url, email=None)

    assert isinstance(choice, CalendarChoice)
    assert choice.host == "127.0.0.1"
    assert [(s.key, s.line) for s in choice.series] == [
        (STANDUP, "Standup · Every weekday 09:30 · 15 min"),
        (SYNC, "Weekly team sync · Mon 10:00 · 30 min"),
        (REVIEW, "Quarterly review · Wed 4 Mar 14:00 · 1 h"),
    ]
    assert choice.chosen == frozenset()
    feed = feed_of(db, user)
    assert SECRET not in feed.url_sealed and box.open(feed.url_sealed) == url
    with db.session() as s:  # nothing of her calendar is stored before she chooses
        assert s.exec(select(Meeting)).all() == []
        assert s.exec(select(CalendarOccurrence)).all() == []


def test_choose_plans_check_ins_at_the_right_utc_instants(db, service, server, clock):
    user, _ = connected(service, db, server)

    titles = service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})

    assert titles == ["Standup", "Weekly team sync"]
    mondays = [(utc(2, 9), 30), (utc(9, 9), 30)]  # 10:00 in Berlin
    weekdays = [(utc(d, 8, 30), 15) for d in (2, 3, 4, 5, 6, 9)]  # 09:30 in Berlin
    assert pending(db) == checkins_of("Weekly team sync", *mondays) | checkins_of(
        "Standup", *weekdays
    )
    with db.session() as s:
        meetings = s.exec(select(Meeting).order_by(Meeting.name)).all()
        assert [
            (m.name, m.source, m.calendar_series, m.tz, m.duration_minutes) for m in meetings
        ] == [
            ("Standup", MeetingSource.CALENDAR, STANDUP, BERLIN, 15),
            ("Weekly team sync", MeetingSource.CALENDAR, SYNC, BERLIN, 30),
        ]
        # Only the chosen series' occurrences, for the whole 14-day window.
        keys = {o.key.split(" ")[0] for o in s.exec(select(CalendarOccurrence)).all()}
        assert keys == {SYNC, STANDUP}
    # Reopening shows what she ticked.
    again = service.reopen(team_id="T1", user_id=user, email=None)
    assert again.chosen == frozenset({SYNC, STANDUP})


def test_choose_again_unticks_a_series_and_keeps_what_was_sent(db, service, server, clock):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})
    with db.session() as s:
        s.execute(
            sa.update(Checkin)
            .where(Checkin.due_at == utc(2, 8, 15))
            .values(status=CheckinStatus.SENT, sent_at=utc(2, 8, 15))
        )
    clock.instant = utc(2, 8, 16)

    titles = service.choose(team_id="T1", user_id=user, series_keys={SYNC})

    assert titles == ["Weekly team sync"]
    assert pending(db) == checkins_of("Weekly team sync", (utc(2, 9), 30), (utc(9, 9), 30))
    with db.session() as s:
        standup_meeting = s.exec(select(Meeting).where(Meeting.name == "Standup")).one()
        assert not standup_meeting.active
        sent = s.exec(select(Checkin).where(Checkin.status == CheckinStatus.SENT)).one()
        assert sent.meeting_id == standup_meeting.id
        stored = s.exec(
            select(CalendarOccurrence).where(CalendarOccurrence.meeting_id == standup_meeting.id)
        ).all()
        assert stored == []  # an unticked series' times are not kept
    # Ticking it again brings the same meeting back, with its check-ins.
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})
    with db.session() as s:
        assert len(s.exec(select(Meeting)).all()) == 2
    assert ("Standup", "pre", utc(3, 8, 15)) in pending(db)


def test_choose_in_another_process_fetches_the_link_again(db, service, server, clock, box):
    user, _ = connected(service, db, server)
    other = CalendarService(db, clock, client=FeedClient(allow_loopback=True), box=box)
    fetched = len(server.requests)

    assert other.choose(team_id="T1", user_id=user, series_keys={REVIEW}) == ["Quarterly review"]

    assert len(server.requests) == fetched + 1
    assert pending(db) == checkins_of("Quarterly review", (utc(4, 13), 60))
    # Read without her email (declined meetings in): the sync that asks for it is due now.
    assert feed_of(db, user).next_sync_at == clock.now()


def test_the_pickers_read_is_kept_for_one_choice_only(db, service, server, clock):
    """Thousands connecting must not keep thousands of calendars in memory: choose uses
    the read once; choosing again reads the link again."""
    user, _ = connected(service, db, server)
    fetched = len(server.requests)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    assert len(server.requests) == fetched

    service.choose(team_id="T1", user_id=user, series_keys={SYNC, REVIEW})

    assert len(server.requests) == fetched + 1
    assert ("Quarterly review", "pre", utc(4, 12, 45)) in pending(db)


def test_a_feed_that_cannot_be_used_is_a_problem_with_a_code_and_nothing_is_stored(
    db, service, server, caplog
):
    user = person(db)
    all_day = (
        "BEGIN:VEVENT\r\nUID:holiday@test\r\nDTSTAMP:20260301T000000Z\r\n"
        "SUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20260303\r\nEND:VEVENT"
    )
    cases = {
        "not_a_calendar": b"<html><body>Sign in</body></html>",
        "titles_hidden": ics(
            event("a@test", "Busy", "20260302T100000", 30),
            event("b@test", "Tentative", "20260303T100000", 30),
        ),
        "no_meetings": ics(all_day),
    }
    caplog.set_level(logging.DEBUG)
    for why, body in cases.items():
        url = serve(server, body, name=why)
        with pytest.raises(CalendarProblem) as raised:
            service.connect(team_id="T1", user_id=user, url=url, email=None)
        assert raised.value.why == why
    missing = server.url(f"/nothing/{SECRET}/basic.ics")
    with pytest.raises(CalendarProblem) as raised:
        service.connect(team_id="T1", user_id=user, url=missing, email=None)
    assert raised.value.why == "not_found"
    assert SECRET not in f"{raised.value!s} {raised.value!r}"
    with pytest.raises(CalendarProblem) as raised:
        service.connect(team_id="T1", user_id=user, url="https://10.0.0.1/x.ics", email=None)
    assert raised.value.why == "forbidden_address"
    assert feed_of(db, user) is None
    assert SECRET not in caplog.text
    with pytest.raises(CalendarProblem) as raised:
        service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    assert raised.value.why == "not_connected"
    assert service.reopen(team_id="T1", user_id=user, email=None) is None


def test_without_secret_key_the_calendar_is_unavailable(db, clock, client, server):
    service = CalendarService(db, clock, client=client, box=None)
    user = person(db)
    assert service.available is False
    with pytest.raises(CalendarUnavailable):
        service.connect(team_id="T1", user_id=user, url=serve(server, FIRST), email=None)
    assert server.requests == []
    assert service.sync_due(owner="A", email_of=no_email) == 0


def test_connect_before_start_is_not_started(db, service, server):
    with pytest.raises(NotStarted):
        service.connect(team_id="T1", user_id="U_NEW", url=serve(server, FIRST), email=None)
    assert server.requests == []


def test_reconnecting_keeps_the_series_she_ticked_that_still_exist(db, service, server, clock):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})
    moved_on = ics(weekly_sync(), review())  # the new link's calendar has no standup
    url = serve(server, moved_on, name="work")

    choice = service.connect(team_id="T1", user_id=user, url=url, email=None)

    assert choice.chosen == frozenset({SYNC, STANDUP})
    assert pending(db) == checkins_of("Weekly team sync", (utc(2, 9), 30), (utc(9, 9), 30))
    # Still hers, with no meeting to come: shown apart, so she can untick it.
    assert [line.line for line in choice.series if line.key == STANDUP] == [
        "Standup · no meeting in the next 14 days"
    ]
    assert service.reopen(team_id="T1", user_id=user, email=None).series == choice.series

    service.choose(team_id="T1", user_id=user, series_keys={SYNC})

    assert service.reopen(team_id="T1", user_id=user, email=None).chosen == frozenset({SYNC})
    with db.session() as s:
        standup_meeting = s.exec(select(Meeting).where(Meeting.name == "Standup")).one()
        assert not standup_meeting.active


def test_a_ticked_series_with_no_meeting_in_the_window_stays_ticked_when_choosing(
    db, service, server, clock
):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, REVIEW})
    # The team sync pauses for a few weeks; the one-off review is over.
    serve(server, ics(standup()), name=user)
    clock.instant = utc(5, 8)
    choice = service.reopen(team_id="T1", user_id=user, email=None)
    assert choice.chosen == frozenset({SYNC})
    assert REVIEW not in {line.key for line in choice.series}

    service.choose(team_id="T1", user_id=user, series_keys=set(choice.chosen) | {STANDUP})

    assert service.reopen(team_id="T1", user_id=user, email=None).chosen == frozenset(
        {SYNC, STANDUP}
    )


# -- sync --------------------------------------------------------------------------------


def test_check_ins_follow_moved_cancelled_added_and_retimed_meetings(db, service, server, clock):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})
    assert feed_of(db, user).next_sync_at == utc(2, 8, 20)
    # The standup's first pre-meeting check-in went out.
    clock.instant = utc(2, 8, 15)
    with db.session() as s:
        s.execute(
            sa.update(Checkin)
            .where(Checkin.due_at == utc(2, 8, 15))
            .values(status=CheckinStatus.SENT, sent_at=clock.now())
        )
        moved_pre_id = s.execute(
            select(Checkin.id).where(Checkin.due_at == utc(9, 8, 45))
        ).scalar_one()
    # Next Monday's sync moves to 14:00; an extra sync on Thursday 11:00; Wednesday's
    # standup is cancelled; from next week the standup is at 10:00 (Google splits it).
    changed = ics(
        weekly_sync("RDATE;TZID=Europe/Berlin:20260305T110000"),
        event(
            SYNC,
            "Weekly team sync",
            "20260309T140000",
            30,
            extra=("RECURRENCE-ID;TZID=Europe/Berlin:20260309T100000",),
        ),
        standup(
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260308T230000Z",
            "EXDATE;TZID=Europe/Berlin:20260304T093000",
        ),
        event(
            "standup_R20260309T093000@test",
            "Standup",
            "20260309T100000",
            15,
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ),
        review(),
        stamp="20260302T081900Z",
    )
    serve(server, changed, name=user)
    clock.instant = utc(2, 8, 25)
    before = snapshot(db)

    assert service.sync_due(owner="A", email_of=no_email) == 1

    assert pending(db) == (
        checkins_of("Weekly team sync", (utc(2, 9), 30), (utc(5, 10), 30), (utc(9, 13), 30))
        | {("Standup", "post", utc(2, 8, 50))}  # its pre-meeting one was sent
        | checkins_of("Standup", *[(utc(d, 8, 30), 15) for d in (3, 5, 6)], (utc(9, 9), 15))
    )
    with db.session() as s:
        sent = s.exec(select(Checkin).where(Checkin.status == CheckinStatus.SENT)).one()
        assert (sent.due_at, sent.sent_at, sent.occurrence_start) == (
            utc(2, 8, 15),
            utc(2, 8, 15),
            utc(2, 8, 30),
        )
        # The moved meeting's check-in moved (the same row), not a new one.
        moved = s.get(Checkin, moved_pre_id)
        assert (moved.status, moved.due_at, moved.occurrence_start) == (
            "pending",
            utc(9, 12, 45),
            utc(9, 13),
        )
        assert len(s.exec(select(Meeting)).all()) == 2  # the split standup is one meeting
    after = snapshot(db)
    assert len(after[2]) - len(before[2]) == 4  # 2 new occurrences × (pre, post), no more

    # Moved back, and again: the same row follows, nothing twice.
    serve(server, changed.replace(b"20260309T140000", b"20260309T100000"), name=user)
    due_now(db, clock)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    assert ("Weekly team sync", "pre", utc(9, 8, 45)) in pending(db)
    assert ("Weekly team sync", "pre", utc(9, 12, 45)) not in pending(db)
    serve(server, changed, name=user)
    due_now(db, clock)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    with db.session() as s:
        moved = s.get(Checkin, moved_pre_id)
        assert (moved.status, moved.due_at) == ("pending", utc(9, 12, 45))
        rows = s.exec(select(Checkin).where(Checkin.status != CheckinStatus.CANCELLED)).all()
        slots = [(c.meeting_id, c.occurrence_start, c.kind) for c in rows]
        assert len(slots) == len(set(slots))
        assert len(s.exec(select(Checkin)).all()) == len(after[2])


def test_an_occurrence_she_declined_gets_no_check_ins(db, service, server, clock):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    declined = ics(
        weekly_sync(),
        event(
            SYNC,
            "Weekly team sync",
            "20260309T100000",
            30,
            extra=(
                "RECURRENCE-ID;TZID=Europe/Berlin:20260309T100000",
                "ATTENDEE;PARTSTAT=DECLINED:mailto:Mila@Example.com",
            ),
        ),
    )
    serve(server, declined, name=user)
    clock.advance(minutes=20)

    service.sync_due(owner="A", email_of=lambda team, u: "mila@example.com" if u == user else None)

    assert pending(db) == checkins_of("Weekly team sync", (utc(2, 9), 30))


def test_an_unchanged_calendar_writes_nothing(db, service, server, clock):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})
    before = snapshot(db)
    # The same meetings, stamped at export time (as Google and Exchange do).
    serve(server, ics(weekly_sync(), standup(), review(), stamp="20260302T081500Z"), name=user)
    clock.advance(minutes=20)

    assert service.sync_due(owner="A", email_of=no_email) == 1

    assert snapshot(db) == before
    feed = feed_of(db, user)
    # Synced now; next about 20 minutes before the sync's check-in at 08:45.
    assert (feed.last_ok_at, feed.next_sync_at) == (clock.now(), utc(2, 8, 25))


def test_not_modified_writes_nothing_and_the_feed_is_read_in_full_now_and_then(
    db, service, server, clock
):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    serve(server, FIRST, name=user, etag='"v1"')
    clock.advance(minutes=20)
    assert service.sync_due(owner="A", email_of=no_email) == 1  # read in full, ETag kept
    before = snapshot(db)

    clock.advance(minutes=20)
    assert service.sync_due(owner="A", email_of=no_email) == 1

    assert server.requests[-1][1].get("If-None-Match") == '"v1"'
    assert snapshot(db) == before
    assert feed_of(db, user).last_ok_at == clock.now()
    # The 14-day window moves on while the server says "not modified": every few hours
    # the feed is read in full all the same, so new weeks' meetings come in.
    clock.advance(hours=7)
    due_now(db, clock)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    assert "If-None-Match" not in server.requests[-1][1]


def test_a_feed_only_exported_again_is_not_parsed_and_is_read_in_full_every_few_hours(
    db, service, server, clock
):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    assert feed_of(db, user).read_at is None  # choose stored the picker's read
    clock.advance(minutes=20)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    first_read = feed_of(db, user).read_at
    assert first_read == clock.now()
    syncs = lambda: sorted(  # noqa: E731
        o.start for o in _stored_occurrences(db) if o.key.startswith(SYNC)
    )
    assert syncs() == [utc(2, 9), utc(9, 9)]
    before = snapshot(db)

    # Exported again (new DTSTAMPs), same meetings: nothing parsed, nothing written.
    serve(server, ics(weekly_sync(), standup(), review(), stamp="20260302T083500Z"), name=user)
    clock.advance(minutes=20)
    due_now(db, clock)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    feed = feed_of(db, user)
    assert (feed.last_ok_at, feed.read_at) == (clock.now(), first_read)
    assert snapshot(db) == before

    # Hours later the window has moved on: the feed is read in full, so the Monday
    # that came into it is followed (and the one that is over forgotten).
    clock.advance(hours=7)
    due_now(db, clock)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    assert feed_of(db, user).read_at == clock.now()
    assert syncs() == [utc(9, 9), utc(16, 9)]


def test_a_feed_read_with_her_email_for_the_first_time_is_parsed_again(db, service, server, clock):
    """The digest covers her email: once Slack tells it, the meetings she declined go."""
    declined = weekly_sync(
        "ATTENDEE;PARTSTAT=DECLINED:mailto:mila@example.com",
    )
    user, _ = connected(service, db, server, body=ics(declined, standup(), review()))
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    clock.advance(minutes=20)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    assert {kind for _, kind, _ in pending(db, user)} == {"pre", "post"}

    clock.advance(minutes=20)
    due_now(db, clock)
    service.sync_due(owner="A", email_of=lambda team, u: "mila@example.com")
    assert pending(db, user) == set()


def test_a_failing_calendar_keeps_her_check_ins_and_she_is_told_once_a_day_later(
    db, service, server, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    user, url = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})
    planned = pending(db)
    path = url.split(str(server.port), 1)[1]
    server.routes[path] = status(500)
    clock.advance(minutes=20)

    assert service.sync_due(owner="A", email_of=no_email) == 1

    assert pending(db) == planned
    feed = feed_of(db, user)
    assert (feed.failing_since, feed.last_error) == (clock.now(), "server_error")
    # Not a calendar any more (a sign-in page): still nothing cancelled.
    server.routes[path] = calendar(b"<html>Sign in</html>")
    due_now(db, clock)
    service.sync_due(owner="A", email_of=no_email)
    assert pending(db) == planned
    assert feed_of(db, user).last_error == "not_a_calendar"
    # A calendar emptied of every event is not taken as every meeting cancelled.
    server.routes[path] = calendar(ics())
    due_now(db, clock)
    service.sync_due(owner="A", email_of=no_email)
    assert pending(db) == planned
    assert feed_of(db, user).last_error == "no_meetings"

    clock.advance(hours=23)
    assert service.failing_for_a_day() == []
    clock.advance(hours=1, minutes=1)
    assert service.failing_for_a_day() == [
        FailingNotice(team_id="T1", user_id=user, why="no_meetings", host="127.0.0.1")
    ]
    assert service.failing_for_a_day() == []
    due_now(db, clock)
    service.sync_due(owner="A", email_of=no_email)
    assert service.failing_for_a_day() == []

    # It recovers, then fails again: a new run of failures, a new notice a day later.
    server.routes[path] = calendar(FIRST)
    due_now(db, clock)
    service.sync_due(owner="A", email_of=no_email)
    assert feed_of(db, user).failing_since is None
    server.routes[path] = status(404)
    due_now(db, clock)
    service.sync_due(owner="A", email_of=no_email)
    clock.advance(hours=24, minutes=1)
    assert [n.why for n in service.failing_for_a_day()] == ["not_found"]
    assert SECRET not in caplog.text


def test_sync_comes_about_20_minutes_before_a_pre_meeting_check_in(db, service, server, clock):
    clock.instant = utc(2, 7, 50)
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={STANDUP})
    # Its first pre-meeting check-in is due at 08:15: a sync at 07:55, not 08:10.
    assert feed_of(db, user).next_sync_at == utc(2, 7, 55)
    clock.instant = utc(2, 7, 55)
    service.sync_due(owner="A", email_of=no_email)
    # The next one (08:15) is less than 20 minutes away: back to every 20 minutes.
    assert feed_of(db, user).next_sync_at == utc(2, 8, 15)


def test_feeds_with_customized_time_zones_keep_each_persons_local_times(db, service, server, clock):
    def feed(offsets: tuple[str, str], dst: bool, uid: str) -> bytes:
        standard, daylight = offsets
        zone_lines = [
            "BEGIN:VTIMEZONE",
            "TZID:Customized Time Zone",
            "BEGIN:STANDARD",
            "DTSTART:16010101T020000",
            f"TZOFFSETFROM:{daylight}",
            f"TZOFFSETTO:{standard}",
        ]
        if dst:
            zone_lines += ["RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11"]
        zone_lines += ["END:STANDARD"]
        if dst:
            zone_lines += [
                "BEGIN:DAYLIGHT",
                "DTSTART:16010101T020000",
                f"TZOFFSETFROM:{standard}",
                f"TZOFFSETTO:{daylight}",
                "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3",
                "END:DAYLIGHT",
            ]
        zone_lines += ["END:VTIMEZONE"]
        return ics(
            "\r\n".join(zone_lines),
            event(
                uid,
                "Daily check",
                "20260302T090000",
                30,
                tz="Customized Time Zone",
                rrule="FREQ=DAILY",
            ),
        )

    new_york = feed(("-0500", "-0400"), True, "ny@test")
    brisbane = feed(("+1000", "+1000"), False, "bne@test")
    ana, _ = connected(service, db, server, new_york, tz="America/New_York")
    ben, _ = connected(service, db, server, brisbane, tz="Australia/Brisbane")
    service.choose(team_id="T1", user_id=ana, series_keys={"ny@test"})
    service.choose(team_id="T1", user_id=ben, series_keys={"bne@test"})
    # Both feeds change (a new export), and one sync_due reads them side by side.
    serve(server, new_york.replace(b"Daily check", b"Daily check-in"), name=ana)
    serve(server, brisbane.replace(b"Daily check", b"Daily check-in"), name=ben)
    clock.advance(minutes=20)

    assert service.sync_due(owner="A", email_of=no_email) == 2

    ana_pre = sorted(due for name, kind, due in pending(db, ana) if kind == "pre")
    ben_pre = sorted(due for name, kind, due in pending(db, ben) if kind == "pre")
    # 09:00 in New York: 14:00 UTC, 13:00 UTC once daylight saving starts on 8 March.
    assert ana_pre[:2] == [utc(2, 13, 45), utc(3, 13, 45)]
    assert utc(8, 12, 45) in ana_pre and utc(9, 12, 45) in ana_pre
    # 09:00 in Brisbane (UTC+10 all year): 23:00 UTC the day before.
    assert ben_pre[:2] == [utc(2, 22, 45), utc(3, 22, 45)]
    assert {name for name, _, _ in pending(db)} == {"Daily check-in"}


def test_two_processes_never_sync_the_same_calendar(db, service, server, clock, box):
    people = [connected(service, db, server)[0] for _ in range(6)]
    for user in people:
        service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    fetched = len(server.requests)
    other = CalendarService(db, clock, client=FeedClient(allow_loopback=True), box=box)
    clock.advance(minutes=20)
    start = threading.Barrier(2)
    counts: dict[str, int] = {}

    def run(name: str, svc: CalendarService) -> None:
        start.wait()
        counts[name] = svc.sync_due(owner=name, email_of=no_email, limit=6)

    threads = [
        threading.Thread(target=run, args=("A", service)),
        threading.Thread(target=run, args=("B", other)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counts["A"] + counts["B"] == 6
    paths = server.paths()[fetched:]
    assert sorted(paths) == sorted(set(paths)) and len(paths) == 6
    # A feed another process holds is not taken until its lease runs out.
    due_now(db, clock)
    with db.session() as s:
        held = calendars.claim_due_feeds(s, now=clock.now(), owner="C", limit=10)
    assert len(held) == 6
    assert service.sync_due(owner="A", email_of=no_email) == 0


def test_a_sync_whose_link_was_replaced_meanwhile_writes_nothing(db, service, server, clock):
    user, url = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    clock.advance(minutes=20)
    with db.session() as s:
        [feed_id] = calendars.claim_due_feeds(s, now=clock.now(), owner="A", limit=5)
    # She connects (the same link) while A is fetching: A's lease is gone.
    service.connect(team_id="T1", user_id=user, url=url, email=None)
    before = snapshot(db)

    assert service._sync(feed_id, "A", no_email) is False

    assert snapshot(db) == before


# -- planner -----------------------------------------------------------------------------


def test_horizons_of_calendar_and_typed_meetings_extend_side_by_side(db, service, server, clock):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={STANDUP})
    meetings = MeetingService(db, clock)
    meetings.add(
        team_id="T1",
        user_id=user,
        meeting=MeetingInput(
            "Typed one", 0b0000100, None, datetime(2026, 1, 1, 15).time(), 30, BERLIN
        ),
    )
    clock.advance(days=3)

    assert extend_horizons(db, clock) == 2

    dues = pending(db)
    assert ("Standup", "pre", utc(12, 8, 15)) in dues  # Thursday 12 March, from storage
    assert ("Typed one", "pre", utc(11, 13, 45)) in dues  # Wednesday, from its rule
    # /voice meetings lists and edits only what she typed.
    assert [m.name for m in meetings.list(team_id="T1", user_id=user)] == ["Typed one"]
    with db.session() as s:
        standup_id = s.exec(select(Meeting.id).where(Meeting.name == "Standup")).one()
    with pytest.raises(UnknownMeeting):
        meetings.remove(team_id="T1", user_id=user, meeting_id=standup_id)


def test_a_pause_and_resume_replan_calendar_meetings_from_their_occurrences(
    db, service, server, clock
):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    planned = pending(db)
    pauses = PauseService(db, clock)
    pauses.pause(team_id="T1", user_id=user, duration="")
    assert pending(db) == set()
    pauses.resume(team_id="T1", user_id=user)
    assert pending(db) == planned


def test_lineage_follows_googles_split_series():
    assert lineage("abc_R20260309T093000@google.com") == "abc@google.com"
    assert lineage("abc@google.com") == "abc@google.com"
    assert lineage("040000008200E00074C5B7101A82E008") == "040000008200E00074C5B7101A82E008"


# -- disconnect, export, forget-me -------------------------------------------------------


def test_disconnect_deletes_the_link_and_the_future_and_keeps_what_happened(
    db, service, server, clock
):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC, STANDUP})
    with db.session() as s:
        coachee = s.exec(select(Coachee).where(Coachee.slack_user_id == user)).one()
        answered = s.exec(select(Checkin).where(Checkin.due_at == utc(2, 8, 15))).one()
        answered.status = CheckinStatus.ANSWERED
        standup_id = answered.meeting_id
        s.add(
            Attempt(
                team_id="T1",
                coachee_id=coachee.id,
                checkin_id=answered.id,
                meeting_id=standup_id,
                meeting_name="Standup",
                challenge_id="answer-any-thoughts",
                step=3,
                outcome="did_it",
                occurred_at=utc(2, 8, 30),
                recorded_at=clock.now(),
            )
        )
    clock.instant = utc(2, 8, 20)

    assert service.disconnect(team_id="T1", user_id=user) is True

    assert feed_of(db, user) is None
    assert pending(db) == set()
    with db.session() as s:
        assert s.exec(select(CalendarOccurrence)).all() == []
        remaining = s.exec(select(Meeting)).all()
        assert [(m.id, m.active) for m in remaining] == [(standup_id, False)]
        assert s.exec(select(Attempt)).one().meeting_id == standup_id
    assert service.disconnect(team_id="T1", user_id=user) is False
    assert service.reopen(team_id="T1", user_id=user, email=None) is None


def test_export_says_connected_and_the_host_only_and_forget_me_removes_the_feed(
    db, service, server, clock
):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={SYNC})
    privacy = PrivacyService(db, clock)

    exported = privacy.export(team_id="T1", user_id=user)

    assert SECRET.encode() not in exported
    with db.session() as s:
        sealed = s.exec(select(CalendarFeed.url_sealed)).one()
    assert sealed.encode() not in exported
    document = json.loads(exported)
    assert document["calendar"] == "connected (127.0.0.1)"
    assert [o["start"] for o in document["calendar_occurrences"]][:1] == [utc(2, 9).isoformat()]

    privacy.forget(team_id="T1", user_id=user)

    with db.session() as s:
        assert s.exec(select(CalendarFeed)).all() == []
        assert s.exec(select(CalendarOccurrence)).all() == []
        assert s.exec(select(Meeting)).all() == []


def test_bootstrap_wires_the_key_and_the_loopback_setting_from_settings(db, clock):
    from bot.bootstrap import build_services
    from bot.content import load_ladder
    from bot.settings import load_settings

    key = Fernet.generate_key().decode()
    settings = load_settings(
        {"DATABASE_URL": "sqlite:///unused.db", "SECRET_KEY": key, "CALENDAR_ALLOW_LOOPBACK": "1"},
        env_file=None,
        require_slack=False,
    )
    wired = build_services(db, clock, load_ladder(), settings).calendars
    assert wired.available and wired._client.allow_loopback
    plain = load_settings(
        {"DATABASE_URL": "sqlite:///unused.db"}, env_file=None, require_slack=False
    )
    unwired = build_services(db, clock, load_ladder(), plain).calendars
    assert not unwired.available and not unwired._client.allow_loopback


def test_a_sync_while_the_check_in_is_being_sent_never_sends_it_twice(db, service, server, clock):
    from bot.content import load_ladder
    from bot.services.coaching import CoachingService
    from bot.services.dispatch import Dispatcher
    from bot.storage import checkins
    from tests.services.test_dispatch import Sender

    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={STANDUP})
    clock.instant = utc(2, 8, 15)
    sender = Sender()
    dispatcher = Dispatcher(db, clock, CoachingService(db, clock, load_ladder()), sender, owner="D")
    with db.session() as s:
        [checkin_id] = checkins.claim_due(s, now=clock.now(), owner="D", limit=10)
    queued = dispatcher._prepare(checkin_id, clock.now())
    # Meanwhile today's standup moves to 10:30 and a sync runs.
    moved = ics(
        standup(),
        event(
            STANDUP,
            "Standup",
            "20260302T103000",
            15,
            extra=("RECURRENCE-ID;TZID=Europe/Berlin:20260302T093000",),
        ),
    )
    serve(server, moved, name=user)
    due_now(db, clock)
    assert service.sync_due(owner="A", email_of=no_email) == 1

    assert dispatcher._deliver(queued) is True
    clock.instant = utc(2, 9, 20)
    dispatcher.tick()
    dispatcher.close()

    assert [(m.kind, m.meeting_name) for m in sender.sent] == [("pre", "Standup")]
    with db.session() as s:
        row = s.get(Checkin, checkin_id)
        assert (row.status, row.occurrence_start) == ("sent", utc(2, 9, 30))
    assert ("Standup", "post", utc(2, 9, 50)) in pending(db)


def test_a_link_sealed_under_an_older_key_is_resealed_by_the_sync(db, clock, client, server):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = CalendarService(db, clock, client=client, box=SecretBox([old]))
    user, url = connected(before, db, server)
    before.choose(team_id="T1", user_id=user, series_keys={SYNC})
    rotated = CalendarService(db, clock, client=client, box=SecretBox([new, old]))
    reopened = rotated.reopen(team_id="T1", user_id=user, email=None)
    due_now(db, clock)

    assert rotated.sync_due(owner="A", email_of=no_email) == 1

    assert SecretBox([new]).open(feed_of(db, user).url_sealed) == url
    # What reopen read just before still serves choose: the same link, sealed anew.
    fetched = len(server.requests)
    assert rotated.choose(team_id="T1", user_id=user, series_keys=set(reopened.chosen)) == [
        "Weekly team sync"
    ]
    assert len(server.requests) == fetched


def test_a_sync_forgets_the_occurrences_that_are_over_and_only_those(db, service, server, clock):
    user, _ = connected(service, db, server)
    service.choose(team_id="T1", user_id=user, series_keys={STANDUP})
    standups = lambda: sorted(  # noqa: E731
        o.start for o in _stored_occurrences(db) if o.key.startswith(STANDUP)
    )
    first = standups()
    assert first[0] == utc(2, 8, 30)  # Monday 09:30 Berlin
    clock.instant = utc(3, 8, 0)  # Tuesday 09:00 Berlin: Monday's standup is over, not today's
    serve(server, FIRST, name=user)
    due_now(db, clock)
    assert service.sync_due(owner="A", email_of=no_email) == 1
    assert standups()[:2] == [utc(3, 8, 30), utc(4, 8, 30)]
    assert utc(2, 8, 30) not in standups()


def _stored_occurrences(db: Database) -> list:
    with db.session() as s:
        return s.exec(select(CalendarOccurrence)).all()

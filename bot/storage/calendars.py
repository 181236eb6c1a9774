"""Calendar feeds (her sealed ICS link and its sync state) and the occurrences of the
series she ticked.

Feeds are synced the way check-ins are sent: the database says which are due
(``next_sync_at``), and each process claims due feeds with a lease, so one process at
a time fetches a given calendar, across restarts. A process that dies mid-sync leaves
its lease to expire and another takes the feed over.

The link itself is stored only sealed (``bot.storage.crypto``); nothing here opens it,
and nothing here writes it, or anything else of her calendar but the occurrences of
the series she chose, anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.models import (
    CALENDAR_KEY_MAX,
    CalendarFeed,
    CalendarOccurrence,
    Checkin,
    CheckinKind,
    CheckinStatus,
    Meeting,
    MeetingSource,
)
from bot.storage.db import upsert

LEASE_SECONDS = 120
# A link just saved was fetched while she waited; the next sync is a regular one.
SYNC_EVERY = timedelta(minutes=20)
# What ``last_error`` may hold: a short code ("not_found", "timeout"), never a URL.
_ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
# Longer validators are not kept (the next fetch is then unconditional).
_VALIDATOR_MAX = 255


class OccurrenceChanges(NamedTuple):
    added: int
    removed: int
    moved: int


# -- the feed ------------------------------------------------------------------------


def get_feed(session: Session, *, coachee_id: int) -> CalendarFeed | None:
    return session.exec(select(CalendarFeed).where(CalendarFeed.coachee_id == coachee_id)).first()


def feed_by_id(session: Session, *, feed_id: int) -> CalendarFeed | None:
    return session.exec(select(CalendarFeed).where(CalendarFeed.id == feed_id)).first()


def save_feed(
    session: Session, *, team_id: str, coachee_id: int, url_sealed: str, host: str, now: datetime
) -> CalendarFeed:
    """Connect her calendar, or replace its link: everything learnt about the old link
    (validators, sync times, failures) is forgotten, and the next sync is due in
    SYNC_EVERY. A sync of the old link still running loses its lease: its
    ``record_sync`` and ``renew_feed_lease`` then return False."""
    fresh = {
        "team_id": team_id,
        "url_sealed": url_sealed,
        "host": host,
        "etag": None,
        "last_modified": None,
        "read_at": None,
        "read_digest": None,
        "next_sync_at": now + SYNC_EVERY,
        "lease_owner": None,
        "lease_until": None,
        "last_synced_at": None,
        "last_ok_at": None,
        "failing_since": None,
        "last_error": None,
        "failure_noticed_at": None,
        "updated_at": now,
    }
    statement = upsert(session, CalendarFeed).values(coachee_id=coachee_id, created_at=now, **fresh)
    session.execute(statement.on_conflict_do_update(index_elements=["coachee_id"], set_=fresh))
    feed = get_feed(session, coachee_id=coachee_id)
    session.refresh(feed)  # the identity map may hold the row as it was before
    return feed


def forget_read(session: Session, *, feed_id: int) -> None:
    """Make the next sync read the feed in full (what is stored no longer matches the
    digest of its last full read)."""
    session.execute(
        sa.update(CalendarFeed)
        .where(CalendarFeed.id == feed_id)
        .values(read_at=None, read_digest=None)
    )


def reseal_feed(session: Session, *, feed_id: int, url_sealed: str) -> bool:
    """Store the same link sealed again (under the newest SECRET_KEY key)."""
    updated = session.execute(
        sa.update(CalendarFeed).where(CalendarFeed.id == feed_id).values(url_sealed=url_sealed)
    )
    return updated.rowcount == 1


def delete_feed(session: Session, *, coachee_id: int) -> bool:
    """Forget her link and its sync state. Her calendar meetings stay: what becomes of
    them (and their check-ins) is the caller's decision."""
    deleted = session.execute(sa.delete(CalendarFeed).where(CalendarFeed.coachee_id == coachee_id))
    return deleted.rowcount == 1


def delete_team_feeds(session: Session, *, team_id: str) -> int:
    """Forget every link of a workspace (it uninstalled the app); returns how many."""
    return session.execute(sa.delete(CalendarFeed).where(CalendarFeed.team_id == team_id)).rowcount


# -- syncing: claim, renew, release, record ------------------------------------------


def claim_due_feeds(
    session: Session, *, now: datetime, owner: str, limit: int, lease_seconds: int = LEASE_SECONDS
) -> list[int]:
    """Take a lease on up to ``limit`` feeds due for a sync that nobody else holds,
    the longest overdue first; returns their ids.

    PostgreSQL: row locks with SKIP LOCKED, so processes claim disjoint feeds at once.
    SQLite: the session holds the write lock (BEGIN IMMEDIATE), so claims are serial.
    """
    due = (
        select(CalendarFeed.id)
        .where(
            CalendarFeed.next_sync_at <= now,
            sa.or_(CalendarFeed.lease_until.is_(None), CalendarFeed.lease_until < now),
        )
        .order_by(CalendarFeed.next_sync_at, CalendarFeed.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.execute(due).scalars())
    if ids:
        session.execute(
            sa.update(CalendarFeed)
            .where(CalendarFeed.id.in_(ids))
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds))
        )
    return ids


def renew_feed_lease(
    session: Session, *, feed_id: int, owner: str, now: datetime, lease_seconds: int = LEASE_SECONDS
) -> bool:
    """Extend our lease (before writing what a slow fetch found); False if it was lost:
    expired and taken over, the link replaced, or the feed deleted."""
    renewed = session.execute(
        sa.update(CalendarFeed)
        .where(_held_by(feed_id, owner), CalendarFeed.lease_until >= now)
        .values(lease_until=now + timedelta(seconds=lease_seconds))
    )
    return renewed.rowcount == 1


def release_feed(
    session: Session, *, feed_id: int, owner: str, next_sync_at: datetime | None = None
) -> bool:
    """Give our lease up without recording a sync (e.g. shutting down, or no key to
    open the link), optionally putting the next try off until ``next_sync_at``."""
    values: dict = {"lease_owner": None, "lease_until": None}
    if next_sync_at is not None:
        values["next_sync_at"] = next_sync_at
    released = session.execute(
        sa.update(CalendarFeed).where(_held_by(feed_id, owner)).values(**values)
    )
    return released.rowcount == 1


def record_sync(
    session: Session,
    *,
    feed_id: int,
    owner: str,
    now: datetime,
    ok: bool,
    error: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    read_digest: str | None = None,
    next_sync_at: datetime,
) -> bool:
    """Record how a sync we hold the lease for went, and free the feed until
    ``next_sync_at``. False (and nothing written) if the lease was lost.

    Success stores the server's validators (too long ones are dropped) and ends any
    run of failures; with ``read_digest``, the feed was read in full just now. A
    failure keeps the validators, remembers when the run of failures began, and
    stores ``error``: a short code such as "not_found", which
    is checked so that a URL or a message can never land there.
    """
    if ok == (error is not None):
        raise ValueError("record_sync: give an error code exactly when the sync failed")
    if error is not None and not _ERROR_CODE.fullmatch(error):
        raise ValueError("record_sync: error must be a short code such as 'not_found'")
    values: dict = {
        "lease_owner": None,
        "lease_until": None,
        "last_synced_at": now,
        "next_sync_at": next_sync_at,
        "updated_at": now,
    }
    if ok:
        values |= {
            "last_ok_at": now,
            "etag": _validator(etag),
            "last_modified": _validator(last_modified),
            "failing_since": None,
            "last_error": None,
            "failure_noticed_at": None,
        }
        if read_digest is not None:
            values |= {"read_at": now, "read_digest": read_digest}
    else:
        values |= {
            "failing_since": sa.func.coalesce(CalendarFeed.failing_since, now),
            "last_error": error,
        }
    recorded = session.execute(
        sa.update(CalendarFeed).where(_held_by(feed_id, owner)).values(**values)
    )
    return recorded.rowcount == 1


def _held_by(feed_id: int, owner: str):
    return sa.and_(CalendarFeed.id == feed_id, CalendarFeed.lease_owner == owner)


def _validator(value: str | None) -> str | None:
    return value if value and len(value) <= _VALIDATOR_MAX else None


def bring_forward(session: Session, *, feed_id: int, to: datetime) -> bool:
    """Make the next sync due at ``to`` if that is earlier than planned (e.g. about 20
    minutes before a pre-meeting check-in); never puts a sync off."""
    moved = session.execute(
        sa.update(CalendarFeed)
        .where(CalendarFeed.id == feed_id, CalendarFeed.next_sync_at > to)
        .values(next_sync_at=to)
    )
    return moved.rowcount == 1


def next_pre_checkin_due(session: Session, *, coachee_id: int, after: datetime) -> datetime | None:
    """When her next pending pre-meeting check-in of a calendar meeting is due (after
    ``after``), so that a sync can be planned about 20 minutes before it."""
    return session.execute(
        select(sa.func.min(Checkin.due_at))
        .join(Meeting, Meeting.id == Checkin.meeting_id)
        .where(
            Checkin.coachee_id == coachee_id,
            Checkin.kind == CheckinKind.PRE,
            Checkin.status == CheckinStatus.PENDING,
            Checkin.due_at > after,
            Meeting.source == MeetingSource.CALENDAR,
            Meeting.active,
        )
    ).scalar_one_or_none()


# -- a feed that keeps failing ---------------------------------------------------------


def feeds_failing_since(session: Session, *, before: datetime, limit: int) -> list[CalendarFeed]:
    """Feeds failing since ``before`` or longer whose owner has not been told yet."""
    return list(
        session.exec(
            select(CalendarFeed)
            .where(
                CalendarFeed.failing_since <= before,
                CalendarFeed.failure_noticed_at.is_(None),
            )
            .order_by(CalendarFeed.failing_since, CalendarFeed.id)
            .limit(limit)
        ).all()
    )


def mark_failure_noticed(session: Session, *, feed_id: int, now: datetime) -> bool:
    """Note that she is being told her calendar keeps failing. True only for the first
    caller in a run of failures: mark first, then send, and she is told at most once."""
    marked = session.execute(
        sa.update(CalendarFeed)
        .where(
            CalendarFeed.id == feed_id,
            CalendarFeed.failing_since.is_not(None),
            CalendarFeed.failure_noticed_at.is_(None),
        )
        .values(failure_noticed_at=now)
    )
    return marked.rowcount == 1


# -- her calendar meetings and their occurrences ----------------------------------------


def calendar_meetings(
    session: Session, *, coachee_id: int, include_inactive: bool = False
) -> list[Meeting]:
    """Her meetings that follow a series of her calendar. A series she unticked stays
    as an inactive meeting (its attempts point at it); ticking it again should bring
    that meeting back, as (coachee_id, calendar_series) is unique."""
    statement = select(Meeting).where(
        Meeting.coachee_id == coachee_id, Meeting.source == MeetingSource.CALENDAR
    )
    if not include_inactive:
        statement = statement.where(Meeting.active)
    return list(session.exec(statement.order_by(Meeting.id)).all())


def replace_occurrences(
    session: Session,
    *,
    meeting_id: int,
    occurrences: Iterable[tuple[str, datetime, datetime]],
    window: tuple[datetime, datetime] | None = None,
) -> OccurrenceChanges:
    """Make the meeting's stored occurrences the given (key, start, end) ones, writing
    only what changed: new keys are added, keys no longer there removed, and a key
    whose start or end changed is moved. Returns how many of each.

    With ``window`` (start, end), only stored occurrences starting in it can be removed
    (a sync that read the next 14 days says nothing about earlier ones).
    """
    wanted: dict[str, tuple[datetime, datetime]] = {}
    for key, start, end in occurrences:
        if key in wanted:
            raise ValueError("replace_occurrences: the same occurrence key twice")
        if not key or len(key) > CALENDAR_KEY_MAX:
            raise ValueError(f"replace_occurrences: a key must be 1-{CALENDAR_KEY_MAX} characters")
        if start.tzinfo is None or end.tzinfo is None or end < start:
            raise ValueError("replace_occurrences: aware start <= end expected")
        wanted[key] = (start, end)

    stored = session.execute(
        select(
            CalendarOccurrence.id,
            CalendarOccurrence.key,
            CalendarOccurrence.start,
            CalendarOccurrence.end,
        ).where(CalendarOccurrence.meeting_id == meeting_id)
    ).all()
    by_key = {row.key: row for row in stored}

    removed = [
        row.id
        for row in stored
        if row.key not in wanted and (window is None or window[0] <= row.start < window[1])
    ]
    moved = [
        (by_key[key].id, start, end)
        for key, (start, end) in wanted.items()
        if key in by_key and (by_key[key].start, by_key[key].end) != (start, end)
    ]
    added = [(key, start, end) for key, (start, end) in wanted.items() if key not in by_key]

    if removed:
        session.execute(sa.delete(CalendarOccurrence).where(CalendarOccurrence.id.in_(removed)))
    for occurrence_id, start, end in moved:
        session.execute(
            sa.update(CalendarOccurrence)
            .where(CalendarOccurrence.id == occurrence_id)
            .values(start=start, end=end)
        )
    if added:
        team_id = session.execute(
            select(Meeting.team_id).where(Meeting.id == meeting_id)
        ).scalar_one_or_none()
        if team_id is None:
            raise LookupError("replace_occurrences: no such meeting")
        session.execute(
            sa.insert(CalendarOccurrence),
            [
                {"team_id": team_id, "meeting_id": meeting_id, "key": k, "start": s, "end": e}
                for k, s, e in added
            ],
        )
    return OccurrenceChanges(added=len(added), removed=len(removed), moved=len(moved))


def occurrences_between(
    session: Session, *, meeting_id: int, start: datetime, end: datetime
) -> list[CalendarOccurrence]:
    """The meeting's stored occurrences starting in [start, end), earliest first."""
    return list(
        session.exec(
            select(CalendarOccurrence)
            .where(
                CalendarOccurrence.meeting_id == meeting_id,
                CalendarOccurrence.start >= start,
                CalendarOccurrence.start < end,
            )
            .order_by(CalendarOccurrence.start, CalendarOccurrence.id)
        ).all()
    )


def prune_occurrences(session: Session, *, meeting_id: int, ended_before: datetime) -> int:
    """Forget the meeting's occurrences that ended before ``ended_before`` (their
    check-ins keep the history); returns how many."""
    deleted = session.execute(
        sa.delete(CalendarOccurrence).where(
            CalendarOccurrence.meeting_id == meeting_id,
            CalendarOccurrence.start < ended_before,  # what the index narrows on
            CalendarOccurrence.end < ended_before,
        )
    )
    return deleted.rowcount or 0

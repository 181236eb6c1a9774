"""Materialising check-ins: each meeting occurrence becomes pre and post rows.

A meeting she typed has its occurrences computed from her local wall-clock time and
the IANA zone (bot.domain.schedule); a meeting that follows a series of her calendar
has them stored, as the last sync read them (bot.storage.calendars), already as UTC
instants. Either way check-ins are planned over a rolling horizon and recomputed when
a meeting, her settings or her pause change; a calendar meeting's are also made to
follow its occurrences after every sync that changed them (``follow_occurrences``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.domain.schedule import MeetingRule, Occurrence, checkin_times, occurrences, zone
from bot.models import CheckinKind, CheckinStatus, Coachee, Meeting, MeetingSource
from bot.storage import calendars, checkins, meetings

HORIZON = timedelta(days=8)
# A pause with no end date (until /voice resume).
OPEN_ENDED = datetime(9999, 1, 1, tzinfo=UTC)
# The check-ins that belong to one occurrence (a reminder follows a sent post check-in).
_PLANNED_KINDS = (CheckinKind.PRE, CheckinKind.POST)


def is_paused(coachee: Coachee, now: datetime) -> bool:
    return coachee.paused_until is not None and coachee.paused_until > now


def rule_of(meeting: Meeting) -> MeetingRule:
    return MeetingRule(
        weekdays=meeting.weekdays,
        on_date=meeting.on_date,
        start=meeting.start_time,
        duration_minutes=meeting.duration_minutes,
        tz=meeting.tz,
    )


def occurrences_of(
    session, meeting: Meeting, *, start_after: datetime, until: datetime
) -> list[Occurrence]:
    """The meeting's occurrences starting in (start_after, until], in order."""
    if meeting.source != MeetingSource.CALENDAR:
        return occurrences(rule_of(meeting), start_after=start_after, until=until)
    if until <= start_after:
        return []
    tz = zone(meeting.tz)
    stored = calendars.occurrences_between(
        session,
        meeting_id=meeting.id,
        start=start_after,
        end=until + timedelta(microseconds=1),
    )
    return [
        Occurrence(local_date=row.start.astimezone(tz).date(), start=row.start, end=row.end)
        for row in stored
        if row.start > start_after
    ]


def _planned_rows(
    coachee: Coachee, meeting: Meeting, found: Iterable[Occurrence], *, now: datetime
) -> list[dict]:
    rows = []
    for occurrence in found:
        if is_paused(coachee, occurrence.start):
            continue
        times = checkin_times(
            occurrence,
            pre_minutes=coachee.pre_checkin_minutes,
            post_minutes=coachee.post_checkin_minutes,
        )
        common = dict(
            team_id=coachee.team_id,
            coachee_id=coachee.id,
            meeting_id=meeting.id,
            occurrence_start=occurrence.start,
            status="pending",
            send_attempts=0,
            created_at=now,
        )
        rows.append(
            dict(
                common,
                kind=CheckinKind.PRE,
                due_at=times.pre_due,
                send_until=times.pre_expires,
                expires_at=times.pre_expires,
            )
        )
        rows.append(
            dict(
                common,
                kind=CheckinKind.POST,
                due_at=times.post_due,
                send_until=times.late_limit,
                expires_at=times.post_expires,
            )
        )
    return rows


def plan_meeting(
    session, coachee: Coachee, meeting: Meeting, *, now: datetime, since: datetime | None = None
) -> int:
    """Create the check-ins of occurrences after ``since`` (default: now) up to the horizon."""
    until = now + HORIZON
    found = occurrences_of(session, meeting, start_after=since or now, until=until)
    rows = _planned_rows(coachee, meeting, found, now=now)
    checkins.upsert_planned(session, rows)
    meeting.planned_until = until
    return len(rows)


def replan_meeting(session, coachee: Coachee, meeting: Meeting, *, now: datetime) -> None:
    """After an edit: drop what was planned and plan afresh."""
    checkins.cancel_pending(
        session, coachee_id=coachee.id, meeting_id=meeting.id, occurring_after=now
    )
    if meeting.active:
        plan_meeting(session, coachee, meeting, now=now)


def replan_coachee(session, coachee: Coachee, meetings: list[Meeting], *, now: datetime) -> None:
    """After her settings or pause changed: every meeting of hers, afresh."""
    checkins.cancel_pending(session, coachee_id=coachee.id, occurring_after=now)
    for meeting in meetings:
        plan_meeting(session, coachee, meeting, now=now)


def follow_occurrences(
    session,
    coachee: Coachee,
    meeting: Meeting,
    *,
    now: datetime,
    moved: Iterable[tuple[datetime, datetime]] = (),
) -> int:
    """Make a calendar meeting's check-ins match its stored occurrences; returns how
    many rows changed.

    Unlike ``replan_meeting`` it touches only what differs, so a check-in being sent
    this moment is left alone unless its occurrence really changed:

    * ``moved`` (old start, new start): an occurrence's check-ins move with it, the
      ones already sent too (its history follows it, so it isn't asked twice);
    * a pending check-in whose occurrence is gone is cancelled;
    * one whose times changed (the meeting now ends later) gets the new times;
    * an occurrence without check-ins gets them (a cancelled pair comes back).

    Only occurrences that start after ``now`` are touched: what has begun keeps its
    check-ins as they are.
    """
    changed = _move_checkins(session, meeting, moved, now=now)
    until = max(meeting.planned_until or now, now + HORIZON)
    wanted: dict[tuple[datetime, str], dict] = {}
    if meeting.active:
        found = occurrences_of(session, meeting, start_after=now, until=until)
        for row in _planned_rows(coachee, meeting, found, now=now):
            wanted[(row["occurrence_start"], row["kind"])] = row
    have = {
        (row.occurrence_start, row.kind): row
        for row in checkins.of_occurrences_after(
            session, meeting_id=meeting.id, after=now, kinds=_PLANNED_KINDS
        )
    }
    gone = [
        row.id
        for slot, row in have.items()
        if row.status == CheckinStatus.PENDING and slot not in wanted
    ]
    checkins.cancel_pending_ids(session, ids=gone)
    for slot, row in wanted.items():
        current = have.get(slot)
        if current is None or current.status != CheckinStatus.PENDING:
            continue
        times = {name: row[name] for name in ("due_at", "send_until", "expires_at")}
        if any(getattr(current, name) != value for name, value in times.items()):
            checkins.retime_pending(session, checkin_id=current.id, times=times)
            changed += 1
    missing = [
        row
        for slot, row in wanted.items()
        if slot not in have or have[slot].status == CheckinStatus.CANCELLED
    ]
    checkins.upsert_planned(session, missing)
    if meeting.active and meeting.planned_until != until:
        meeting.planned_until = until
    return changed + len(gone) + len(missing)


def _move_checkins(
    session, meeting: Meeting, moved: Iterable[tuple[datetime, datetime]], *, now: datetime
) -> int:
    """Move the check-ins of occurrences that moved (both starts after ``now``).

    A row that can't move (a live row holds its new slot) stays where it was and, if
    still pending, is cancelled by the caller. Moves later are made latest first and
    moves earlier earliest first, so that a series shifted as a whole frees each slot
    before the next occurrence needs it.
    """
    moves = [(old, new) for old, new in moved if old > now and new > now and old != new]
    later = sorted((m for m in moves if m[1] > m[0]), reverse=True)
    earlier = sorted(m for m in moves if m[1] < m[0])
    return sum(
        checkins.move_occurrence(
            session, meeting_id=meeting.id, old=old, new=new, kinds=_PLANNED_KINDS
        )
        for old, new in later + earlier
    )


def extend_horizons(db, clock, *, limit: int = 500) -> int:
    """Plan further ahead for meetings whose horizon is running out; returns how many."""
    now = clock.now()
    extended = 0
    with db.session() as session:
        for meeting in meetings.meetings_to_extend(
            session, before=now + HORIZON - timedelta(days=1), limit=limit
        ):
            coachee = session.get(Coachee, meeting.coachee_id)
            plan_meeting(session, coachee, meeting, now=now, since=max(meeting.planned_until, now))
            extended += 1
    return extended

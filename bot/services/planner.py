"""Materialising check-ins: each meeting occurrence becomes pre and post rows.

Occurrences are computed from her local wall-clock time and the IANA zone
(bot.domain.schedule), over a rolling horizon, and recomputed when a meeting,
her settings or her pause change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.schedule import MeetingRule, checkin_times, occurrences
from bot.models import CheckinKind, Coachee, Meeting
from bot.storage import checkins, meetings

HORIZON = timedelta(days=8)
# A pause with no end date (until /voice resume).
OPEN_ENDED = datetime(9999, 1, 1, tzinfo=UTC)


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


def plan_meeting(
    session, coachee: Coachee, meeting: Meeting, *, now: datetime, since: datetime | None = None
) -> int:
    """Create the check-ins of occurrences after ``since`` (default: now) up to the horizon."""
    start_after = since or now
    until = now + HORIZON
    rows = []
    for occurrence in occurrences(rule_of(meeting), start_after=start_after, until=until):
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

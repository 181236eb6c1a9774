"""Her practice meetings: list, add, edit, remove; each change re-plans its check-ins.

These are the meetings she typed. The ones that follow her calendar are chosen and
removed in /voice calendar (bot.services.calendars): they are not listed here, can't
be edited here, and don't count towards MAX_MEETINGS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.schedule import describe_when, next_occurrence
from bot.models import Meeting, MeetingSource
from bot.services.coaching import onboarded_coachee
from bot.services.planner import replan_meeting, rule_of
from bot.storage import meetings
from bot.storage.db import Database

MAX_MEETINGS = 20


class UnknownMeeting(Exception):
    """No such meeting of hers (removed, or someone else's id)."""


class TooManyMeetings(Exception):
    pass


@dataclass(frozen=True)
class MeetingInput:
    name: str
    weekdays: int
    on_date: date | None
    start: time
    duration_minutes: int
    tz: str


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    name: str
    when: str
    tz: str
    next_start: datetime | None  # aware, in the meeting's zone


class MeetingService:
    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def list(self, *, team_id: str, user_id: str) -> list[MeetingSummary]:
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            return [self._summary(m) for m in _typed(session, coachee.id)]

    def get(self, *, team_id: str, user_id: str, meeting_id: int) -> MeetingInput:
        with self._db.session() as session:
            meeting = self._hers(session, team_id, user_id, meeting_id)
            return MeetingInput(
                meeting.name,
                meeting.weekdays,
                meeting.on_date,
                meeting.start_time,
                meeting.duration_minutes,
                meeting.tz,
            )

    def today(self, *, team_id: str, user_id: str) -> date:
        """Today in her time zone (a one-off meeting can't be in the past)."""
        return (
            self._clock.now()
            .astimezone(ZoneInfo(self.default_tz(team_id=team_id, user_id=user_id)))
            .date()
        )

    def default_tz(self, *, team_id: str, user_id: str) -> str:
        with self._db.session() as session:
            return onboarded_coachee(session, team_id=team_id, user_id=user_id).tz

    def add(self, *, team_id: str, user_id: str, meeting: MeetingInput) -> MeetingSummary:
        now = self._clock.now()
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            if len(_typed(session, coachee.id)) >= MAX_MEETINGS:
                raise TooManyMeetings()
            row = Meeting(team_id=team_id, coachee_id=coachee.id, created_at=now, updated_at=now)
            _apply(row, meeting)
            session.add(row)
            session.flush()
            replan_meeting(session, coachee, row, now=now)
            return self._summary(row)

    def update(
        self, *, team_id: str, user_id: str, meeting_id: int, meeting: MeetingInput
    ) -> MeetingSummary:
        now = self._clock.now()
        with self._db.session() as session:
            row = self._hers(session, team_id, user_id, meeting_id)
            _apply(row, meeting)
            row.updated_at = now
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            replan_meeting(session, coachee, row, now=now)
            return self._summary(row)

    def remove(self, *, team_id: str, user_id: str, meeting_id: int) -> str:
        now = self._clock.now()
        with self._db.session() as session:
            row = self._hers(session, team_id, user_id, meeting_id)
            row.active = False
            row.updated_at = now
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            replan_meeting(session, coachee, row, now=now)
            return row.name

    def _hers(self, session, team_id: str, user_id: str, meeting_id: int) -> Meeting:
        coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
        meeting = meetings.get_meeting(session, coachee_id=coachee.id, meeting_id=meeting_id)
        if meeting is None or meeting.source == MeetingSource.CALENDAR:
            raise UnknownMeeting()
        return meeting

    def _summary(self, meeting: Meeting) -> MeetingSummary:
        upcoming = next_occurrence(rule_of(meeting), after=self._clock.now())
        next_start = upcoming.start.astimezone(ZoneInfo(meeting.tz)) if upcoming else None
        return MeetingSummary(
            id=meeting.id,
            name=meeting.name,
            when=describe_when(
                weekdays=meeting.weekdays,
                on_date=meeting.on_date,
                start=meeting.start_time,
                duration_minutes=meeting.duration_minutes,
            ),
            tz=meeting.tz,
            next_start=next_start,
        )


def _typed(session, coachee_id: int) -> list[Meeting]:
    """Her active meetings that she typed (not those following her calendar)."""
    return [
        m
        for m in meetings.list_meetings(session, coachee_id=coachee_id)
        if m.source != MeetingSource.CALENDAR
    ]


def _apply(row: Meeting, meeting: MeetingInput) -> None:
    row.name = meeting.name
    row.weekdays = meeting.weekdays if meeting.on_date is None else 0
    row.on_date = meeting.on_date
    row.start_time = meeting.start
    row.duration_minutes = meeting.duration_minutes
    row.tz = meeting.tz

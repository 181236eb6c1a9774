"""Her preferences: check-in timing, working hours, sharing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.clock import Clock
from bot.services.coaching import onboarded_coachee
from bot.services.planner import replan_coachee
from bot.storage import meetings
from bot.storage.db import Database

PRE_MINUTES_CHOICES = (5, 10, 15, 30, 60)
POST_MINUTES_CHOICES = (0, 5, 10, 15, 30)


@dataclass(frozen=True)
class Preferences:
    pre_minutes: int
    post_minutes: int
    work_start: time
    work_end: time
    share_wins: bool
    share_channel_id: str | None


class PreferencesService:
    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def get(self, *, team_id: str, user_id: str) -> Preferences:
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            return Preferences(
                pre_minutes=coachee.pre_checkin_minutes,
                post_minutes=coachee.post_checkin_minutes,
                work_start=coachee.working_hours_start,
                work_end=coachee.working_hours_end,
                share_wins=coachee.share_wins,
                share_channel_id=coachee.share_channel_id,
            )

    def update(self, *, team_id: str, user_id: str, preferences: Preferences) -> Preferences:
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            timing_changed = (coachee.pre_checkin_minutes, coachee.post_checkin_minutes) != (
                preferences.pre_minutes,
                preferences.post_minutes,
            )
            coachee.pre_checkin_minutes = preferences.pre_minutes
            coachee.post_checkin_minutes = preferences.post_minutes
            coachee.working_hours_start = preferences.work_start
            coachee.working_hours_end = preferences.work_end
            coachee.share_wins = preferences.share_wins
            coachee.share_channel_id = (
                preferences.share_channel_id if preferences.share_wins else None
            )
            coachee.updated_at = self._clock.now()
            if timing_changed:
                replan_coachee(
                    session,
                    coachee,
                    meetings.list_meetings(session, coachee_id=coachee.id),
                    now=coachee.updated_at,
                )
        return preferences

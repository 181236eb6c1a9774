"""Her preferences: check-in timing, working hours, sharing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from bot.clock import Clock
from bot.services.coaching import onboarded_coachee
from bot.services.planner import replan_coachee
from bot.services.roundups import RoundupService
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
    roundup: bool = False
    stories: bool = True  # a coping story beside a check-in, at most once a week
    nerves: bool = True  # the "Settle your nerves" button in a pre-meeting check-in


class PreferencesService:
    def __init__(self, db: Database, clock: Clock, roundups: RoundupService):
        self._db = db
        self._clock = clock
        self._roundups = roundups

    def get(self, *, team_id: str, user_id: str) -> Preferences:
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
        # Sessions never nest: on SQLite a second one would wait for the first's lock.
        return Preferences(
            pre_minutes=coachee.pre_checkin_minutes,
            post_minutes=coachee.post_checkin_minutes,
            work_start=coachee.working_hours_start,
            work_end=coachee.working_hours_end,
            share_wins=coachee.share_wins,
            share_channel_id=coachee.share_channel_id,
            roundup=self._roundups.is_on(team_id=team_id, channel_id=coachee.share_channel_id),
            stories=coachee.stories_on,
            nerves=coachee.nerves_on,
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
            coachee.stories_on = preferences.stories
            coachee.nerves_on = preferences.nerves
            wants_channel = preferences.share_wins or preferences.roundup
            coachee.share_channel_id = preferences.share_channel_id if wants_channel else None
            tz = coachee.tz
            coachee.updated_at = self._clock.now()
            if timing_changed:
                replan_coachee(
                    session,
                    coachee,
                    meetings.list_meetings(session, coachee_id=coachee.id),
                    now=coachee.updated_at,
                )
        self._roundups.set(
            team_id=team_id,
            user_id=user_id,
            channel_id=preferences.share_channel_id,
            tz=tz,
            on=preferences.roundup,
        )
        return preferences

"""Taking a break and coming back: paused people get nothing; resuming re-plans."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.clock import Clock
from bot.domain.pause import parse_pause
from bot.models import Pause
from bot.services.coaching import onboarded_coachee
from bot.services.planner import OPEN_ENDED, is_paused, replan_coachee
from bot.storage import checkins, meetings
from bot.storage.db import Database


class PauseService:
    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def pause(self, *, team_id: str, user_id: str, duration: str) -> tuple[datetime | None, str]:
        """Pause until the end of ``duration`` (None: until she resumes).

        Raises bot.domain.pause.DurationError for words it can't read. Returns the end
        and her time zone name, for the reply.
        """
        now = self._clock.now()
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            until = parse_pause(duration, now=now, tz=ZoneInfo(coachee.tz))
            if not is_paused(coachee, now):
                session.add(
                    Pause(team_id=team_id, coachee_id=coachee.id, starts_at=now, ends_at=until)
                )
            else:
                current = _open_pause(session, coachee.id)
                if current is not None:
                    current.ends_at = until
            coachee.paused_until = until or OPEN_ENDED
            coachee.updated_at = now
            # Nothing while paused (reminders included); meetings after the pause stay planned.
            checkins.cancel_pending(session, coachee_id=coachee.id)
            replan_coachee(
                session, coachee, meetings.list_meetings(session, coachee_id=coachee.id), now=now
            )
            return until, coachee.tz

    def resume(self, *, team_id: str, user_id: str) -> bool:
        """Back from a break; False if she wasn't paused."""
        now = self._clock.now()
        with self._db.session() as session:
            coachee = onboarded_coachee(session, team_id=team_id, user_id=user_id)
            if not is_paused(coachee, now):
                return False
            current = _open_pause(session, coachee.id)
            if current is not None:
                current.ends_at = now
            coachee.paused_until = None
            coachee.updated_at = now
            replan_coachee(
                session,
                coachee,
                meetings.list_meetings(session, coachee_id=coachee.id),
                now=now,
            )
            return True


def _open_pause(session, coachee_id: int) -> Pause | None:
    return session.exec(
        select(Pause).where(Pause.coachee_id == coachee_id).order_by(Pause.starts_at.desc())
    ).first()

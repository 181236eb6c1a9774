"""Her data is hers: everything about her as one JSON document, and deleting it all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from bot.clock import Clock
from bot.models import (
    Attempt,
    Buddy,
    CalendarFeed,
    CalendarOccurrence,
    Celebration,
    Checkin,
    Cheer,
    Coachee,
    EfficacyCheck,
    IfThenPlan,
    Meeting,
    NervesExercise,
    Pause,
    RoundupSubscription,
    SharedStory,
)
from bot.storage import calendars, coachees
from bot.storage.db import Database

# Her if-then plans and self-efficacy checks are hers alone, in her export like the rest.
# Her rows, each list in her export under the table's name plus "s" (e.g.
# "nerves_exercises": the settle-your-nerves exercises she did and whether they helped).
PER_COACHEE = (
    Meeting,
    Checkin,
    IfThenPlan,
    Attempt,
    Celebration,
    Buddy,
    Pause,
    EfficacyCheck,
    NervesExercise,
)


@dataclass(frozen=True)
class Forgotten:
    channel_posts: list[tuple[str, str]]  # her shared posts, for the bot to delete too
    rows: int


def _plain(row: SQLModel) -> dict:
    def value(v):
        if isinstance(v, datetime | date | time):
            return v.isoformat()
        return v

    return {k: value(v) for k, v in row.model_dump().items()}


class PrivacyService:
    def __init__(self, db: Database, clock: Clock):
        self._db = db
        self._clock = clock

    def export(self, *, team_id: str, user_id: str) -> bytes:
        """Everything stored about her (and by her), as UTF-8 JSON."""
        with self._db.session() as session:
            coachee = coachees.get_coachee(session, team_id=team_id, slack_user_id=user_id)
            document: dict = {
                "exported_at": self._clock.now().isoformat(),
                "team_id": team_id,
                "user_id": user_id,
                "profile": _plain(coachee) if coachee else None,
            }
            if coachee is not None:
                for model in PER_COACHEE:
                    rows = session.exec(
                        select(model).where(model.coachee_id == coachee.id).order_by(model.id)
                    ).all()
                    document[model.__tablename__ + "s"] = [_plain(r) for r in rows]
                # The wins she shared anonymously as stories: hers to see, and to delete.
                document["anonymous_stories_shared"] = [
                    _plain(s)
                    for s in session.exec(
                        select(SharedStory)
                        .where(SharedStory.coachee_id == coachee.id)
                        .order_by(SharedStory.id)
                    ).all()
                ]
                document["calendar"] = _calendar(session, coachee.id)
                document["calendar_occurrences"] = [
                    {
                        "meeting_id": o.meeting_id,
                        "start": o.start.isoformat(),
                        "end": o.end.isoformat(),
                    }
                    for o in session.exec(
                        select(CalendarOccurrence)
                        .join(Meeting, Meeting.id == CalendarOccurrence.meeting_id)
                        .where(Meeting.coachee_id == coachee.id)
                        .order_by(CalendarOccurrence.start, CalendarOccurrence.id)
                    ).all()
                ]
                document["cheers_on_her_wins"] = [
                    _plain(c)
                    for c in session.exec(
                        select(Cheer)
                        .join(Celebration, Celebration.id == Cheer.celebration_id)
                        .where(Celebration.coachee_id == coachee.id)
                    ).all()
                ]
            document["cheers_she_gave"] = [
                _plain(c)
                for c in session.exec(
                    select(Cheer).where(Cheer.team_id == team_id, Cheer.cheerer_user_id == user_id)
                ).all()
            ]
            document["buddy_for_others"] = [
                _plain(b)
                for b in session.exec(
                    select(Buddy).where(Buddy.team_id == team_id, Buddy.buddy_user_id == user_id)
                ).all()
            ]
        return json.dumps(document, indent=2, ensure_ascii=False).encode()

    def forget(self, *, team_id: str, user_id: str) -> Forgotten:
        """Delete every row about her; her pending check-ins go with them (a check-in
        claimed for her this moment finds its lease gone and is not sent)."""
        with self._db.session() as session:
            coachee = coachees.get_coachee(
                session, team_id=team_id, slack_user_id=user_id, lock=True
            )
            posts: list[tuple[str, str]] = []
            deleted = 0
            if coachee is not None:
                posts = [
                    (c.channel_id, c.message_ts)
                    for c in session.exec(
                        select(Celebration).where(
                            Celebration.coachee_id == coachee.id,
                            Celebration.message_ts.is_not(None),
                        )
                    ).all()
                ]
                celebration_ids = select(Celebration.id).where(Celebration.coachee_id == coachee.id)
                deleted += _delete(session, Cheer, Cheer.celebration_id.in_(celebration_ids))
                deleted += _delete(session, SharedStory, SharedStory.coachee_id == coachee.id)
                # Children first, so it works whether or not the database cascades.
                meeting_ids = select(Meeting.id).where(Meeting.coachee_id == coachee.id)
                deleted += _delete(
                    session, CalendarOccurrence, CalendarOccurrence.meeting_id.in_(meeting_ids)
                )
                deleted += _delete(session, CalendarFeed, CalendarFeed.coachee_id == coachee.id)
                for model in (IfThenPlan, Attempt, Checkin, Celebration, Buddy, Pause, Meeting):
                    deleted += _delete(session, model, model.coachee_id == coachee.id)
                deleted += _delete(session, EfficacyCheck, EfficacyCheck.coachee_id == coachee.id)
                deleted += _delete(session, NervesExercise, NervesExercise.coachee_id == coachee.id)
                deleted += _delete(session, Coachee, Coachee.id == coachee.id)
            deleted += _delete(
                session, Cheer, sa.and_(Cheer.team_id == team_id, Cheer.cheerer_user_id == user_id)
            )
            deleted += _delete(
                session, Buddy, sa.and_(Buddy.team_id == team_id, Buddy.buddy_user_id == user_id)
            )
            deleted += _delete(
                session,
                RoundupSubscription,
                sa.and_(
                    RoundupSubscription.team_id == team_id,
                    RoundupSubscription.enabled_by_user_id == user_id,
                ),
            )
            return Forgotten(posts, deleted)


def _calendar(session, coachee_id: int) -> str | None:
    """Whether her calendar is connected, and which: its host. Never the link (a
    password) nor its sync state."""
    feed = calendars.get_feed(session, coachee_id=coachee_id)
    return None if feed is None else f"connected ({feed.host})"


def _delete(session, model, condition) -> int:
    return session.execute(sa.delete(model).where(condition)).rowcount or 0

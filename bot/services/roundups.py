"""The weekly round-up: once a week, a channel's shared wins in one post.

Turned on by a channel member (in her settings, for her sharing channel); posted on
Friday afternoon in her time zone; nothing when there were no wins. Each week is
claimed with a conditional update, so however many processes run it goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import select

from bot.clock import Clock
from bot.models import Celebration, CelebrationKind, CelebrationStatus, RoundupSubscription
from bot.storage.db import Database

FRIDAY = 4
POST_AT = time(15, 0)


@dataclass(frozen=True)
class Roundup:
    channel_id: str
    week: str
    headlines: list[str]
    team_id: str = ""  # the channel's workspace (installation key), whose token posts it


def _iso_week(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class RoundupService:
    def __init__(self, db: Database, clock: Clock, headline):
        self._db = db
        self._clock = clock
        self._headline = headline  # Celebration -> its public words

    def set(self, *, team_id: str, user_id: str, channel_id: str | None, tz: str, on: bool) -> None:
        with self._db.session() as session:
            session.execute(
                sa.delete(RoundupSubscription).where(
                    RoundupSubscription.team_id == team_id,
                    RoundupSubscription.enabled_by_user_id == user_id,
                )
            )
            if on and channel_id:
                existing = session.exec(
                    select(RoundupSubscription).where(
                        RoundupSubscription.team_id == team_id,
                        RoundupSubscription.channel_id == channel_id,
                    )
                ).first()
                if existing is None:  # a colleague may have turned it on there already
                    session.add(
                        RoundupSubscription(
                            team_id=team_id,
                            channel_id=channel_id,
                            enabled_by_user_id=user_id,
                            tz=tz,
                            created_at=self._clock.now(),
                        )
                    )

    def is_on(self, *, team_id: str, channel_id: str | None) -> bool:
        if not channel_id:
            return False
        with self._db.session() as session:
            return (
                session.exec(
                    select(RoundupSubscription.id).where(
                        RoundupSubscription.team_id == team_id,
                        RoundupSubscription.channel_id == channel_id,
                    )
                ).first()
                is not None
            )

    def claim_due(self) -> list[Roundup]:
        """Round-ups whose Friday afternoon has come this week, each claimed once."""
        now = self._clock.now()
        due = []
        with self._db.session() as session:
            for sub in session.exec(select(RoundupSubscription)).all():
                local = now.astimezone(ZoneInfo(sub.tz))
                if local.weekday() != FRIDAY or local.time() < POST_AT:
                    continue
                week = _iso_week(local.date())
                claimed = session.execute(
                    sa.update(RoundupSubscription)
                    .where(
                        RoundupSubscription.id == sub.id,
                        sa.or_(
                            RoundupSubscription.last_sent_week.is_(None),
                            RoundupSubscription.last_sent_week != week,
                        ),
                    )
                    .values(last_sent_week=week)
                ).rowcount
                if claimed != 1:
                    continue
                monday = datetime.combine(
                    local.date() - timedelta(days=local.weekday()), time(0), ZoneInfo(sub.tz)
                )
                wins = session.exec(
                    select(Celebration)
                    .where(
                        Celebration.team_id == sub.team_id,
                        Celebration.channel_id == sub.channel_id,
                        Celebration.status == CelebrationStatus.SHARED,
                        Celebration.kind == CelebrationKind.WIN,
                        Celebration.shared_at >= monday,
                        Celebration.shared_at <= now,
                    )
                    .order_by(Celebration.shared_at)
                ).all()
                if wins:
                    due.append((sub.team_id, sub.channel_id, week, list(wins)))
        # Headlines read the database again: only once this session has ended.
        return [
            Roundup(channel, week, [self._headline(w) for w in wins], team_id=team)
            for team, channel, week, wins in due
        ]

"""Wins she shared: the only ones the buddy's and the team's encouragement may name."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from bot.models import Attempt, Celebration, CelebrationKind, CelebrationStatus, Cheer
from bot.storage.db import Unit, connection_of


def latest_shared_wins(session, *, coachee_ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """Each person's latest win she shared in a channel: (challenge id, when it happened)."""
    if not coachee_ids:
        return {}
    rows = session.exec(
        select(
            Celebration.coachee_id, Celebration.detail, Attempt.occurred_at, Celebration.shared_at
        )
        .join(Attempt, Attempt.id == Celebration.attempt_id, isouter=True)
        .where(
            Celebration.coachee_id.in_(coachee_ids),
            Celebration.kind == CelebrationKind.WIN,
            Celebration.status == CelebrationStatus.SHARED,
            Celebration.detail.is_not(None),
        )
        .order_by(Celebration.shared_at, Celebration.id)
    ).all()
    latest: dict[int, tuple[str, datetime]] = {}
    for coachee_id, challenge_id, occurred_at, shared_at in rows:
        latest[coachee_id] = (challenge_id, occurred_at or shared_at)
    return latest


_CHEERS = Cheer.__table__.c
_CHEERERS = (
    sa.select(_CHEERS.cheerer_user_id)
    .where(_CHEERS.celebration_id == sa.bindparam("celebration_id"))
    .order_by(_CHEERS.created_at, _CHEERS.id)
)


def cheerers(unit: Unit, *, celebration_id: int) -> tuple[str, ...]:
    """Who cheered it, first cheer first."""
    rows = connection_of(unit).execute(_CHEERERS, {"celebration_id": celebration_id})
    return tuple(rows.scalars())

"""Settle your nerves: the exercises she did and whether they helped."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.models import NervesExercise
from bot.storage.db import upsert


def done_by(session, *, coachee_id: int) -> list[NervesExercise]:
    """Every exercise she finished, oldest first."""
    return list(
        session.exec(
            select(NervesExercise)
            .where(NervesExercise.coachee_id == coachee_id)
            .order_by(NervesExercise.done_at, NervesExercise.id)
        ).all()
    )


def record_done(
    session,
    *,
    team_id: str,
    coachee_id: int,
    checkin_id: int | None,
    exercise_id: str,
    helped: str | None,
    view_id: str,
    now: datetime,
) -> bool:
    """Store one finished exercise; False if this modal was recorded already (Slack sent
    the submission twice)."""
    # rowcount is unreliable for INSERT across drivers; RETURNING says it exactly.
    row_id = session.execute(
        upsert(session, NervesExercise)
        .values(
            team_id=team_id,
            coachee_id=coachee_id,
            checkin_id=checkin_id,
            exercise_id=exercise_id,
            helped=helped,
            view_id=view_id,
            done_at=now,
        )
        .on_conflict_do_nothing(index_elements=["view_id"])
        .returning(NervesExercise.id)
    ).scalar()
    return row_id is not None

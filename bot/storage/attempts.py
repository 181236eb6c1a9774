"""Queries on attempts: what she tried, and how it went."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, select

from bot.models import Attempt


def add_attempt(session: Session, attempt: Attempt) -> Attempt:
    session.add(attempt)
    session.flush()
    return attempt


# Every column, through the model's attributes (so the session flushes first), as rows:
# loading hundreds of attempts as ORM objects costs about six times more, and their
# readers only read.
_EVERY_COLUMN = sa.select(*(getattr(Attempt, c.name) for c in Attempt.__table__.columns))
_HERS = _EVERY_COLUMN.where(Attempt.coachee_id == sa.bindparam("coachee_id")).order_by(Attempt.id)
_HERS_AFTER = _HERS.where(Attempt.id > sa.bindparam("after_id"))


def attempts_after(session: Session, *, coachee_id: int, after_id: int | None) -> list[sa.Row]:
    """Her attempts recorded after attempt ``after_id`` (all if None), oldest first, as
    rows with the attempt's fields. ``session``: a session, or a connection of
    ``Database.reading()``."""
    if after_id is None:
        return list(session.execute(_HERS, {"coachee_id": coachee_id}))
    return list(session.execute(_HERS_AFTER, {"coachee_id": coachee_id, "after_id": after_id}))


def all_attempts(session: Session, *, coachee_id: int) -> list[sa.Row]:
    return attempts_after(session, coachee_id=coachee_id, after_id=None)


def last_attempt_id(session: Session, *, coachee_id: int) -> int | None:
    return session.exec(select(func.max(Attempt.id)).where(Attempt.coachee_id == coachee_id)).one()

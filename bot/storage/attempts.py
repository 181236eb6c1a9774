"""Queries on attempts: what she tried, and how it went."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from bot.models import Attempt


def add_attempt(session: Session, attempt: Attempt) -> Attempt:
    session.add(attempt)
    session.flush()
    return attempt


def attempts_after(session: Session, *, coachee_id: int, after_id: int | None) -> list[Attempt]:
    """Her attempts recorded after attempt ``after_id`` (all if None), oldest first."""
    query = select(Attempt).where(Attempt.coachee_id == coachee_id)
    if after_id is not None:
        query = query.where(Attempt.id > after_id)
    return list(session.exec(query.order_by(Attempt.id)).all())


def all_attempts(session: Session, *, coachee_id: int) -> list[Attempt]:
    return attempts_after(session, coachee_id=coachee_id, after_id=None)


def last_attempt_id(session: Session, *, coachee_id: int) -> int | None:
    return session.exec(select(func.max(Attempt.id)).where(Attempt.coachee_id == coachee_id)).one()


def count_wins(session: Session, *, coachee_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.coachee_id == coachee_id, Attempt.outcome == "did_it")
    ).one()

"""Queries on coachees (the people being coached) and their pauses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.models import Coachee, EfficacyCheck, Pause

# Built once: building the WHERE clause on the model's attributes cost more than running
# it (0.1 of 0.3 ms), and her row is read at the start of every change to her state.
_HER = select(Coachee).where(
    Coachee.team_id == sa.bindparam("team_id"),
    Coachee.slack_user_id == sa.bindparam("slack_user_id"),
)
_HER_LOCKED = _HER.with_for_update()


def get_coachee(
    session: Session, *, team_id: str, slack_user_id: str, lock: bool = False
) -> Coachee | None:
    """Her row; ``lock`` holds it until commit (PostgreSQL), so that two requests
    changing her state at once (a double click) take turns."""
    params = {"team_id": team_id, "slack_user_id": slack_user_id}
    return session.exec(_HER_LOCKED if lock else _HER, params=params).first()


_COACHEES, _PAUSES = Coachee.__table__.c, Pause.__table__.c
_COACHEE_ROW = sa.select(Coachee.__table__).where(
    _COACHEES.team_id == sa.bindparam("team_id"),
    _COACHEES.slack_user_id == sa.bindparam("slack_user_id"),
)
# Most people never pause nor answer a check: her row says whether she has, so that
# rendering her progress (every Home tab open) skips those two reads when she hasn't.
_CHECKS = EfficacyCheck.__table__.c
_COACHEE_ROW_WITH_FLAGS = _COACHEE_ROW.add_columns(
    sa.exists().where(_PAUSES.coachee_id == _COACHEES.id).label("has_pauses"),
    sa.exists()
    .where(_CHECKS.coachee_id == _COACHEES.id, _CHECKS.status == "answered")
    .label("has_answered_checks"),
)
_PAUSE_ROWS = (
    sa.select(_PAUSES.starts_at, _PAUSES.ends_at)
    .where(_PAUSES.coachee_id == sa.bindparam("coachee_id"))
    .order_by(_PAUSES.starts_at)
)


def coachee_row(connection, *, team_id: str, slack_user_id: str) -> sa.Row | None:
    """Her row as plain values, for paths that only render it (no ORM object to load)."""
    params = {"team_id": team_id, "slack_user_id": slack_user_id}
    return connection.execute(_COACHEE_ROW, params).first()


def coachee_row_with_flags(connection, *, team_id: str, slack_user_id: str) -> sa.Row | None:
    """Her row as plain values, and whether she has any pauses (``has_pauses``) and
    answered checks (``has_answered_checks``)."""
    params = {"team_id": team_id, "slack_user_id": slack_user_id}
    return connection.execute(_COACHEE_ROW_WITH_FLAGS, params).first()


def pause_rows(connection, *, coachee_id: int) -> list[sa.Row]:
    """Her pauses' (starts_at, ends_at), oldest first."""
    return list(connection.execute(_PAUSE_ROWS, {"coachee_id": coachee_id}))


def start_answers(session: Session, *, team_id: str | None) -> list[sa.Row]:
    """Where everyone who started (in a workspace, or everywhere with ``None``) said she
    was: (self_placement, start_confidence, start_step), for the pool's prior."""
    query = sa.select(
        _COACHEES.self_placement, _COACHEES.start_confidence, _COACHEES.start_step
    ).where(_COACHEES.onboarded_at.is_not(None))
    if team_id is not None:
        query = query.where(_COACHEES.team_id == team_id)
    return list(session.execute(query))


def get_or_create_coachee(
    session: Session, *, team_id: str, slack_user_id: str, now: datetime
) -> Coachee:
    coachee = get_coachee(session, team_id=team_id, slack_user_id=slack_user_id)
    if coachee is None:
        coachee = Coachee(
            team_id=team_id, slack_user_id=slack_user_id, created_at=now, updated_at=now
        )
        session.add(coachee)
        session.flush()
    return coachee

"""Queries on coachees (the people being coached)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.models import Coachee


def get_coachee(session: Session, *, team_id: str, slack_user_id: str) -> Coachee | None:
    return session.exec(
        select(Coachee).where(Coachee.team_id == team_id, Coachee.slack_user_id == slack_user_id)
    ).first()

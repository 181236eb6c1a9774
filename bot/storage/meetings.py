"""Queries on practice meetings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.models import Meeting


def list_meetings(session: Session, *, coachee_id: int) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.coachee_id == coachee_id, Meeting.active)
            .order_by(Meeting.id)
        ).all()
    )


def get_meeting(session: Session, *, coachee_id: int, meeting_id: int) -> Meeting | None:
    """Her meeting, or None: another person's meeting id finds nothing."""
    return session.exec(
        select(Meeting).where(
            Meeting.id == meeting_id, Meeting.coachee_id == coachee_id, Meeting.active
        )
    ).first()


def meetings_to_extend(session: Session, *, before: datetime, limit: int) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.active, Meeting.planned_until < before)
            .order_by(Meeting.planned_until)
            .limit(limit)
        ).all()
    )

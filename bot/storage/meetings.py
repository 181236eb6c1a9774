"""Queries on practice meetings."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.models import Attempt, Checkin, CheckinStatus, Meeting


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


def has_history(session: Session, *, meeting_id: int) -> bool:
    """Whether anything happened in it: a check-in sent, answered, skipped or past
    its time, or an attempt recorded."""
    lived = select(Checkin.id).where(
        Checkin.meeting_id == meeting_id,
        Checkin.status.not_in([CheckinStatus.PENDING, CheckinStatus.CANCELLED]),
    )
    tried = select(Attempt.id).where(Attempt.meeting_id == meeting_id)
    return session.execute(select(sa.or_(sa.exists(lived), sa.exists(tried)))).scalar_one()


def delete_unused(session: Session, *, meeting: Meeting) -> None:
    """A meeting nothing happened in goes, with its check-ins (none was sent)."""
    session.execute(sa.delete(Checkin).where(Checkin.meeting_id == meeting.id))
    session.delete(meeting)

"""Her if-then plans: one per pre-meeting check-in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from bot.models import Checkin, CheckinKind, IfThenPlan


def plan_of_checkin(session, *, checkin_id: int) -> IfThenPlan | None:
    return session.exec(select(IfThenPlan).where(IfThenPlan.checkin_id == checkin_id)).first()


_PLAN_SHOWN = sa.select(IfThenPlan.id, IfThenPlan.text, IfThenPlan.fired).where(
    IfThenPlan.checkin_id == sa.bindparam("checkin_id")
)


def plan_shown(session, *, checkin_id: int) -> sa.Row | None:
    """What her check-in DM shows of its plan (id, text, fired), as a row: redrawn after
    every answer, so it is read the cheap way."""
    return session.execute(_PLAN_SHOWN, {"checkin_id": checkin_id}).first()


def plan_for_occurrence(
    session, *, coachee_id: int, meeting_id: int | None, occurrence_start: datetime
) -> IfThenPlan | None:
    """The plan made in the pre-meeting check-in of this meeting occurrence, if any."""
    if meeting_id is None:
        return None
    return session.exec(
        select(IfThenPlan)
        .join(Checkin, Checkin.id == IfThenPlan.checkin_id)
        .where(
            IfThenPlan.coachee_id == coachee_id,
            Checkin.meeting_id == meeting_id,
            Checkin.occurrence_start == occurrence_start,
            Checkin.kind == CheckinKind.PRE,
        )
    ).first()


def save_plan(
    session,
    *,
    team_id: str,
    coachee_id: int,
    checkin_id: int,
    challenge_id: str,
    text: str,
    source: str,
    now: datetime,
) -> IfThenPlan:
    """Her plan for this check-in; a second one replaces the first (she changed it)."""
    plan = plan_of_checkin(session, checkin_id=checkin_id)
    if plan is None:
        plan = IfThenPlan(team_id=team_id, coachee_id=coachee_id, checkin_id=checkin_id)
        session.add(plan)
    plan.challenge_id, plan.text, plan.source, plan.created_at = challenge_id, text, source, now
    session.flush()
    return plan


def mark_fired(session, *, plan_id: int, fired: str, now: datetime) -> bool:
    """Whether it fired, taken once: False if it already has an answer."""
    return (
        session.execute(
            sa.update(IfThenPlan)
            .where(IfThenPlan.id == plan_id, IfThenPlan.fired.is_(None))
            .values(fired=fired, fired_at=now)
        ).rowcount
        == 1
    )

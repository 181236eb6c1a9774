"""Her self-efficacy checks: one row per round (0 at onboarding, then every 4 weeks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.models import Coachee, EfficacyCheck, Workspace
from bot.storage.db import upsert

ITEM_COLUMNS = ("item_1", "item_2", "item_3", "item_4", "item_5", "item_6")


def claim_round(
    session: Session, *, team_id: str, coachee_id: int, round: int, now: datetime
) -> EfficacyCheck | None:
    """The row of her round, inserted as offered; None if it already exists (another
    process, or an earlier run, claimed it): one DM per round."""
    # rowcount is unreliable for INSERT across drivers; RETURNING says it exactly.
    check_id = session.execute(
        upsert(session, EfficacyCheck)
        .values(
            team_id=team_id, coachee_id=coachee_id, round=round, status="offered", offered_at=now
        )
        .on_conflict_do_nothing(index_elements=["coachee_id", "round"])
        .returning(EfficacyCheck.id)
    ).scalar()
    if check_id is None:
        return None
    return session.get(EfficacyCheck, check_id)


def release(session: Session, *, check_id: int) -> None:
    """Give a claimed round back, its DM not sent (Slack asked us to wait): the next
    run claims it again."""
    session.execute(
        sa.delete(EfficacyCheck).where(
            EfficacyCheck.id == check_id,
            EfficacyCheck.status == "offered",
            EfficacyCheck.message_ts.is_(None),
        )
    )


def get_check(session: Session, *, check_id: int, coachee_id: int) -> EfficacyCheck | None:
    """Her check by id: None if it is not hers."""
    return session.exec(
        select(EfficacyCheck).where(
            EfficacyCheck.id == check_id, EfficacyCheck.coachee_id == coachee_id
        )
    ).first()


def set_status(
    session: Session,
    *,
    check_id: int,
    status: str,
    channel_id: str | None = None,
    message_ts: str | None = None,
) -> None:
    values: dict = {"status": status}
    if message_ts is not None:
        values.update(channel_id=channel_id, message_ts=message_ts)
    session.execute(sa.update(EfficacyCheck).where(EfficacyCheck.id == check_id).values(values))


def answer(
    session: Session,
    *,
    check_id: int,
    items: Sequence[int],
    looking_back: int | None,
    now: datetime,
) -> bool:
    """Her answers, taken once (a retried or double submission changes nothing)."""
    values = dict(zip(ITEM_COLUMNS, items, strict=True))
    return (
        session.execute(
            sa.update(EfficacyCheck)
            .where(EfficacyCheck.id == check_id, EfficacyCheck.status != "answered")
            .values(**values, looking_back=looking_back, status="answered", answered_at=now)
        ).rowcount
        == 1
    )


def skip(session: Session, *, check_id: int) -> bool:
    return (
        session.execute(
            sa.update(EfficacyCheck)
            .where(EfficacyCheck.id == check_id, EfficacyCheck.status.in_(("offered", "failed")))
            .values(status="skipped")
        ).rowcount
        == 1
    )


_CHECKS = EfficacyCheck.__table__.c
_ANSWERED = (
    sa.select(EfficacyCheck.__table__)
    .where(_CHECKS.coachee_id == sa.bindparam("coachee_id"), _CHECKS.status == "answered")
    .order_by(_CHECKS.round)
)


def answered_checks(connection, *, coachee_id: int) -> list[sa.Row]:
    """Her answered checks, oldest first, as plain rows (they are only read)."""
    return list(connection.execute(_ANSWERED, {"coachee_id": coachee_id}))


def latest_answers(connection, *, team_id: str) -> list[tuple[int, ...]]:
    """Everyone's latest answered check in the workspace, six items each (for the
    scale's reliability): one row per person."""
    latest = (
        select(sa.func.max(EfficacyCheck.id))
        .where(EfficacyCheck.team_id == team_id, EfficacyCheck.status == "answered")
        .group_by(EfficacyCheck.coachee_id)
    )
    columns = [getattr(EfficacyCheck, c) for c in ITEM_COLUMNS]
    return [
        tuple(r)
        for r in connection.execute(sa.select(*columns).where(EfficacyCheck.id.in_(latest)))
    ]


def due_rounds(
    session: Session, *, onboarded_before: datetime, now: datetime, after_id: int, limit: int
):
    """People who started before ``onboarded_before`` (4 weeks ago), aren't paused and
    whose workspace is installed, each with her highest round so far (-1: none):
    (coachee id, team id, user id, onboarded_at, last round), in pages of ``limit``
    after coachee ``after_id``. The caller works out which are due."""
    last_round = (
        select(sa.func.max(EfficacyCheck.round))
        .where(EfficacyCheck.coachee_id == Coachee.id)
        .scalar_subquery()
    )
    uninstalled = select(Workspace.team_id).where(Workspace.uninstalled_at.is_not(None))
    return session.execute(
        sa.select(
            Coachee.id,
            Coachee.team_id,
            Coachee.slack_user_id,
            Coachee.onboarded_at,
            sa.func.coalesce(last_round, -1),
        )
        .where(
            Coachee.id > after_id,
            Coachee.onboarded_at.is_not(None),
            Coachee.onboarded_at <= onboarded_before,
            sa.or_(Coachee.paused_until.is_(None), Coachee.paused_until <= now),
            Coachee.team_id.not_in(uninstalled),
        )
        .order_by(Coachee.id)
        .limit(limit)
    ).all()

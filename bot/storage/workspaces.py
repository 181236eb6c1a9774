"""Queries on workspaces and on the ids of requests already handled."""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.models import Checkin, CheckinStatus, ProcessedRequest, Workspace
from bot.storage.db import Unit, connection_of, dialect_of, insert_for, upsert


def upsert_workspace(
    session: Session,
    *,
    team_id: str,
    name: str | None,
    now: datetime,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
) -> None:
    """Record the install; safe when several processes start at once."""
    statement = upsert(session, Workspace).values(
        team_id=team_id,
        name=name,
        installed_at=now,
        enterprise_id=enterprise_id,
        is_enterprise_install=is_enterprise_install,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id"],
            set_={
                "name": sa.func.coalesce(statement.excluded.name, Workspace.name),
                "enterprise_id": sa.func.coalesce(
                    statement.excluded.enterprise_id, Workspace.enterprise_id
                ),
                "is_enterprise_install": statement.excluded.is_enterprise_install,
                "uninstalled_at": None,
            },
        )
    )


def mark_uninstalled(session: Session, *, team_id: str, now: datetime) -> None:
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, installed_at=now)
        session.add(workspace)
    workspace.uninstalled_at = now


def cancel_pending_checkins(session: Session, *, team_id: str) -> int:
    result = session.execute(
        sa.update(Checkin)
        .where(Checkin.team_id == team_id, Checkin.status == CheckinStatus.PENDING)
        .values(status=CheckinStatus.CANCELLED)
    )
    return result.rowcount or 0


def get_workspace(session: Session, *, team_id: str) -> Workspace | None:
    return session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()


def workspaces_of(session: Session, *, team_ids: set[str]) -> dict[str, Workspace | None]:
    """Each of these workspaces' row (None where it has none), in one query."""
    found = session.exec(select(Workspace).where(Workspace.team_id.in_(team_ids))).all()
    by_team = {workspace.team_id: workspace for workspace in found}
    return {team_id: by_team.get(team_id) for team_id in team_ids}


def record_request_once(unit: Unit, *, team_id: str, request_key: str, now: datetime) -> bool:
    """Remember a Slack delivery; False when it was seen before (a retry)."""
    row = dict(team_id=team_id, request_key=request_key, processed_at=now)
    # rowcount is unreliable for INSERT across drivers; RETURNING says it exactly.
    return connection_of(unit).execute(_record_request(dialect_of(unit)), row).first() is not None


@functools.cache
def _record_request(dialect: str):
    """Built once, its row bound when it runs (on every event Slack delivers): built
    with the row in it, every event paid for SQLAlchemy's cache key and ORM DML."""
    table = ProcessedRequest.__table__
    return (
        insert_for(dialect, table)
        .on_conflict_do_nothing(index_elements=["team_id", "request_key"])
        .returning(table.c.id)
    )

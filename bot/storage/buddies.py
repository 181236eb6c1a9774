"""Queries on buddies: the colleague she chose to hear about her wins."""

from __future__ import annotations

import sqlalchemy as sa

from bot.models import Buddy, BuddyStatus, Coachee
from bot.storage.db import Unit, connection_of

_BUDDIES, _COACHEES = Buddy.__table__.c, Coachee.__table__.c
_ACTIVE = (
    sa.select(_BUDDIES.id, _BUDDIES.buddy_user_id)
    .join_from(Buddy.__table__, Coachee.__table__, _COACHEES.id == _BUDDIES.coachee_id)
    .where(
        _COACHEES.team_id == sa.bindparam("team_id"),
        _COACHEES.slack_user_id == sa.bindparam("user_id"),
        _BUDDIES.status == BuddyStatus.ACTIVE,
    )
    .order_by(_BUDDIES.id.desc())
    .limit(1)
)


def active_buddy(unit: Unit, *, team_id: str, user_id: str) -> sa.Row | None:
    """Her active buddy's (id, buddy_user_id), the latest if ever several; one statement,
    asked after every win she logs."""
    params = {"team_id": team_id, "user_id": user_id}
    return connection_of(unit).execute(_ACTIVE, params).first()

"""Each workspace's sending budget, shared by every app process through the database.

Slack limits chat.postMessage to about one message per second per channel and to a
workspace-wide rate it does not publish; when it says ``ratelimited`` it names how
long to wait. Two things live here, one row per (workspace, method):

* a block: after a ``ratelimited`` answer nobody sends until it ends, in any process;
* a token bucket that paces scheduled sends, so a burst of check-ins at :45 goes out
  at a steady rate instead of tripping the limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.models import RateLimit
from bot.storage.db import upsert

POST_MESSAGE = "chat.postMessage"
# How many seconds of sending the bucket may save up for a burst.
BURST_SECONDS = 5


def block(session: Session, *, team_id: str, until: datetime, method: str = POST_MESSAGE) -> None:
    """Nobody sends ``method`` to this workspace before ``until`` (a later block wins)."""
    statement = upsert(session, RateLimit).values(
        team_id=team_id, method=method, blocked_until=until, tokens=0.0
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "method"],
            set_={"blocked_until": until, "tokens": 0.0},
            where=RateLimit.blocked_until < until,
        )
    )


def not_blocked(team_id, now: datetime, method: str = POST_MESSAGE):
    """A WHERE clause: true while ``team_id`` (a column or a value) may send."""
    return ~sa.exists().where(
        RateLimit.team_id == team_id,
        RateLimit.method == method,
        RateLimit.blocked_until > now,
    )


def held(
    session: Session, *, now: datetime, per_minute: int | None, method: str = POST_MESSAGE
) -> list[str]:
    """The workspaces that may not send now: Slack told them to wait, or (with
    ``per_minute``) their bucket holds less than one send. A claim leaves their rows
    alone, so that they take no place another workspace's rows could have."""
    query = sa.select(
        RateLimit.team_id, RateLimit.blocked_until, RateLimit.tokens, RateLimit.refilled_at
    ).where(RateLimit.method == method)
    if per_minute is None:
        query = query.where(RateLimit.blocked_until > now)
    else:
        # A bucket last drawn on longer ago than one send's worth of refill holds a send.
        recently = now - timedelta(seconds=60 / per_minute)
        query = query.where(sa.or_(RateLimit.blocked_until > now, RateLimit.refilled_at > recently))
    return sorted(
        row.team_id
        for row in session.execute(query)
        if row.blocked_until > now or _tokens(row, per_minute, now) < 1
    )


def last_drawn(method: str = POST_MESSAGE) -> sa.Subquery:
    """(team_id, at): when each workspace's budget was last drawn on, i.e. when it was
    last served (a workspace never served has no row: NULL in an outer join)."""
    return (
        sa.select(RateLimit.team_id, RateLimit.refilled_at.label("at"))
        .where(RateLimit.method == method)
        .subquery("drawn")
    )


def blocked_until(
    session: Session, *, team_id: str, now: datetime, method: str = POST_MESSAGE
) -> datetime | None:
    until = session.execute(
        sa.select(RateLimit.blocked_until).where(
            RateLimit.team_id == team_id, RateLimit.method == method
        )
    ).scalar_one_or_none()
    return until if until is not None and until > now else None


def take(
    session: Session,
    *,
    team_id: str,
    wanted: int,
    per_minute: int,
    now: datetime,
    method: str = POST_MESSAGE,
) -> int:
    """Take up to ``wanted`` sends from the workspace's bucket; returns how many."""
    taken = take_each(
        session, wanted={team_id: wanted}, per_minute=per_minute, now=now, method=method
    )
    return taken[team_id]


def take_each(
    session: Session,
    *,
    wanted: dict[str, int],
    per_minute: int,
    now: datetime,
    method: str = POST_MESSAGE,
) -> dict[str, int]:
    """Take up to ``wanted[team]`` sends from each workspace's bucket; returns how
    many each got. Three statements however many workspaces a claim spans.

    The rows stay locked for the rest of the transaction, so processes take turns;
    always in team order, so two claims never deadlock on them.
    """
    teams = sorted(wanted)
    if not teams:
        return {}
    session.execute(
        upsert(session, RateLimit)
        .values(
            [
                dict(team_id=t, method=method, blocked_until=now, tokens=0.0, refilled_at=None)
                for t in teams
            ]
        )
        .on_conflict_do_nothing(index_elements=["team_id", "method"])
    )
    query = (
        sa.select(
            RateLimit.id,
            RateLimit.team_id,
            RateLimit.blocked_until,
            RateLimit.tokens,
            RateLimit.refilled_at,
        )
        .where(RateLimit.team_id.in_(teams), RateLimit.method == method)
        .order_by(RateLimit.team_id)
    )
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    taken: dict[str, int] = {}
    drawn = []
    for bucket in session.execute(query):
        if bucket.blocked_until > now:
            taken[bucket.team_id] = 0
            continue
        tokens = _tokens(bucket, per_minute, now)
        taken[bucket.team_id] = min(wanted[bucket.team_id], int(tokens))
        drawn.append(
            {"id": bucket.id, "tokens": tokens - taken[bucket.team_id], "refilled_at": now}
        )
    if drawn:
        session.execute(sa.update(RateLimit), drawn)  # by primary key, one executemany
    return taken


def _tokens(bucket, per_minute: int, now: datetime) -> float:
    """What the bucket holds at ``now``: what was left, plus the refill since."""
    capacity = max(1.0, per_minute * BURST_SECONDS / 60)
    if bucket.refilled_at is None:
        return capacity
    elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
    return min(capacity, bucket.tokens + elapsed * per_minute / 60)

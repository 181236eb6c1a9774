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
from bot.storage.db import Unit, upsert

POST_MESSAGE = "chat.postMessage"
# How many seconds of sending the bucket may save up for a burst.
BURST_SECONDS = 5


def block(unit: Unit, *, team_id: str, until: datetime, method: str = POST_MESSAGE) -> None:
    """Nobody sends ``method`` to this workspace before ``until`` (a later block wins)."""
    statement = upsert(unit, RateLimit).values(
        team_id=team_id, method=method, blocked_until=until, tokens=0.0
    )
    unit.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "method"],
            set_={"blocked_until": until, "tokens": 0.0},
            where=RateLimit.blocked_until < until,
        )
    )


def must_wait(now, *, paced: bool, method: str = POST_MESSAGE) -> sa.Select:
    """A SELECT of the workspaces that may not send at ``now`` (a value or a bind
    parameter): Slack told them to wait, or (``paced``) their bucket holds less than
    one send. A claim leaves their rows alone, so that they take no place another
    workspace's rows could have."""
    waiting = RateLimit.blocked_until > now
    if paced:
        waiting = sa.or_(waiting, RateLimit.ready_at > now)
    return sa.select(RateLimit.team_id).where(RateLimit.method == method, waiting)


def not_blocked(team_id, now, method: str = POST_MESSAGE):
    """A WHERE clause: true unless Slack told ``team_id`` (a column or a value) to wait."""
    return ~must_wait(now, paced=False, method=method).where(RateLimit.team_id == team_id).exists()


def held(
    session: Session, *, now: datetime, per_minute: int | None, method: str = POST_MESSAGE
) -> list[str]:
    """The workspaces of must_wait (paced when ``per_minute`` is given), in order."""
    query = must_wait(now, paced=per_minute is not None, method=method)
    return sorted(session.execute(query).scalars())


def last_drawn(method: str = POST_MESSAGE) -> sa.Subquery:
    """(team_id, at): when each workspace's budget was last drawn on, i.e. when it was
    last served (a workspace never served has no row: NULL in an outer join)."""
    return (
        sa.select(RateLimit.team_id, RateLimit.refilled_at.label("at"))
        .where(RateLimit.method == method)
        .subquery("drawn")
    )


def blocked_until(
    unit: Unit, *, team_id: str, now: datetime, method: str = POST_MESSAGE
) -> datetime | None:
    until = unit.execute(
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
    many each got. Two statements however many workspaces a claim spans.

    The rows stay locked for the rest of the transaction, so processes take turns;
    always in team order, so two claims never deadlock on them.
    """
    teams = sorted(wanted)
    if not teams:
        return {}
    new = [
        dict(team_id=t, method=method, blocked_until=now, tokens=0.0, refilled_at=None)
        for t in teams
    ]
    # A row already there gets an update that changes nothing: it locks the row and
    # returns it, so finding, creating and locking the buckets is one statement. Rows
    # are inserted and locked in the order of VALUES, i.e. team order.
    buckets = session.execute(
        upsert(session, RateLimit)
        .values(new)
        .on_conflict_do_update(
            index_elements=["team_id", "method"], set_={"tokens": RateLimit.tokens}
        )
        .returning(
            RateLimit.id,
            RateLimit.team_id,
            RateLimit.blocked_until,
            RateLimit.tokens,
            RateLimit.refilled_at,
        )
    ).all()
    taken: dict[str, int] = {}
    drawn = []
    for bucket in buckets:
        if bucket.blocked_until > now:
            taken[bucket.team_id] = 0
            continue
        tokens = _tokens(bucket, per_minute, now)
        taken[bucket.team_id] = min(wanted[bucket.team_id], int(tokens))
        left = tokens - taken[bucket.team_id]
        drawn.append(
            {
                "id": bucket.id,
                "tokens": left,
                "refilled_at": now,
                "ready_at": now + timedelta(seconds=max(0.0, 1 - left) * 60 / per_minute),
            }
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

"""Queries on pooled challenge difficulties (bot.domain.difficulty)."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.domain.difficulty import Rating
from bot.models import ChallengeRating
from bot.storage.db import Unit, connection_of, dialect_of, insert_for

EVERYWHERE = "*"  # the pool of all workspaces together

_COLUMNS = ChallengeRating.__table__.c
_RATINGS = sa.select(
    _COLUMNS.challenge_id, _COLUMNS.difficulty, _COLUMNS.attempts, _COLUMNS.information
).where(_COLUMNS.team_id == sa.bindparam("pool"))


def ratings(unit: Unit, *, pool: str) -> dict[str, Rating]:
    """Every rated challenge's in this pool: plain rows, read on every attempt."""
    rows = connection_of(unit).execute(_RATINGS, {"pool": pool})
    return {r.challenge_id: Rating(*r) for r in rows}


def add_to_rating(
    unit: Unit,
    *,
    pool: str,
    challenge_id: str,
    prior: float,
    change: float,
    information: float,
) -> None:
    """Move a challenge's difficulty by ``change``, add what the attempt told and count
    it, as one atomic statement (two people answering at once both count); its first
    attempt starts it at ``prior``."""
    connection_of(unit).execute(
        _add_to_rating(dialect_of(unit)),
        {
            "pool": pool,
            "challenge_id": challenge_id,
            "start": prior + change,
            "change": change,
            "info": information,
        },
    )


@functools.cache
def _add_to_rating(dialect: str):
    """Built once, its numbers bound when it runs: built with them in it, on the ORM
    entity, it cost every attempt ~1 ms of SQLAlchemy's cache keys and ORM bulk DML."""
    change = sa.bindparam("change", type_=sa.Float)
    information = sa.bindparam("info", type_=sa.Float)
    return (
        insert_for(dialect, ChallengeRating.__table__)
        .values(
            team_id=sa.bindparam("pool"),
            challenge_id=sa.bindparam("challenge_id"),
            difficulty=sa.bindparam("start", type_=sa.Float),
            attempts=1,
            information=information,
        )
        .on_conflict_do_update(
            index_elements=["team_id", "challenge_id"],
            set_={
                "difficulty": _COLUMNS.difficulty + change,
                "attempts": _COLUMNS.attempts + 1,
                "information": _COLUMNS.information + information,
            },
        )
    )


def pools(session: Session) -> list[str]:
    return list(session.exec(select(ChallengeRating.team_id).distinct()).all())

"""Queries on pooled challenge difficulties (bot.domain.difficulty)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.domain.difficulty import Rating
from bot.models import ChallengeRating
from bot.storage.db import upsert

EVERYWHERE = "*"  # the pool of all workspaces together


def ratings(session: Session, *, pool: str) -> dict[str, Rating]:
    rows = session.exec(select(ChallengeRating).where(ChallengeRating.team_id == pool)).all()
    return {
        r.challenge_id: Rating(r.challenge_id, r.difficulty, r.attempts, r.information)
        for r in rows
    }


def add_to_rating(
    session: Session,
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
    session.execute(
        upsert(session, ChallengeRating)
        .values(
            team_id=pool,
            challenge_id=challenge_id,
            difficulty=prior + change,
            attempts=1,
            information=information,
        )
        .on_conflict_do_update(
            index_elements=["team_id", "challenge_id"],
            set_={
                "difficulty": ChallengeRating.difficulty + change,
                "attempts": ChallengeRating.attempts + 1,
                "information": ChallengeRating.information + information,
            },
        )
    )


def pools(session: Session) -> list[str]:
    return list(session.exec(select(ChallengeRating.team_id).distinct()).all())

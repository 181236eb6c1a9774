"""Coping stories: the weekly claim on her DM, and colleagues' anonymous shares."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from bot.models import Coachee, SharedStory
from bot.storage.db import Unit, connection_of


def claim_slot_statement(coachee_id: sa.BindParameter) -> sa.Update:
    """claim_story_slot's update, for a statement that claims it among others
    (checkins.hand_over)."""
    return (
        sa.update(Coachee)
        .where(
            Coachee.id == coachee_id,
            Coachee.stories_on.is_(True),
            sa.or_(
                Coachee.story_shown_at.is_(None), Coachee.story_shown_at < sa.bindparam("p_since")
            ),
        )
        .values(story_shown_at=sa.bindparam("p_now"), stories_shown=Coachee.stories_shown + 1)
    )


_CLAIM_SLOT = claim_slot_statement(sa.bindparam("p_id"))


def claim_story_slot(unit: Unit, *, coachee_id: int, now: datetime, not_since: datetime) -> bool:
    """Take this week's story for her: one conditional update, so that however many
    processes send her check-ins at once, at most one story goes out a week (a story is
    due only when none was shown since ``not_since``, the start of her week). Asked
    before many check-ins at once: built once, run on the connection (no ORM pass)."""
    params = {"p_id": coachee_id, "p_since": not_since, "p_now": now}
    return connection_of(unit).execute(_CLAIM_SLOT, params).rowcount == 1


_SHARES = SharedStory.__table__.c
_AT_STEP = (
    sa.select(_SHARES.coachee_id, _SHARES.step, _SHARES.challenge_id)
    .add_columns(_SHARES.outcome, _SHARES.phrase_id)
    .where(_SHARES.team_id == sa.bindparam("team_id"), _SHARES.step == sa.bindparam("step"))
    .order_by(_SHARES.id)
)


def shared_at_step(unit: Unit, *, team_id: str, step: int) -> list[sa.Row]:
    """Every anonymous share at a step of a workspace, oldest first: the author and
    what may be shown (challenge, outcome, phrase), as rows (they are only read)."""
    return list(unit.execute(_AT_STEP, {"team_id": team_id, "step": step}))


def share_of_celebration(session, *, celebration_id: int) -> SharedStory | None:
    return session.exec(
        select(SharedStory).where(SharedStory.celebration_id == celebration_id)
    ).first()


def add_share(
    session,
    *,
    team_id: str,
    coachee_id: int,
    celebration_id: int,
    step: int,
    challenge_id: str,
    outcome: str,
    phrase_id: str | None,
    now: datetime,
) -> SharedStory:
    share = SharedStory(
        team_id=team_id,
        coachee_id=coachee_id,
        celebration_id=celebration_id,
        step=step,
        challenge_id=challenge_id,
        outcome=outcome,
        phrase_id=phrase_id,
        created_at=now,
    )
    session.add(share)
    session.flush()
    return share

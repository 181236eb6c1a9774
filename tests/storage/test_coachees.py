"""Queries on coachees: where everyone who started said she was, per workspace or
everywhere (the pool's prior for each person's start)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Coachee
from bot.storage import coachees

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_start_answers_are_everyone_who_started_in_the_pool(db):
    with db.session() as s:
        s.add(
            Coachee(
                team_id="T1",
                slack_user_id="U1",
                onboarded_at=NOW,
                self_placement="when_asked",
                start_confidence=40,
                start_step=2,
            )
        )
        s.add(Coachee(team_id="T1", slack_user_id="U2", onboarded_at=NOW, start_step=3))
        s.add(Coachee(team_id="T1", slack_user_id="U3"))  # opened the modal, never started
        s.add(
            Coachee(
                team_id="T2",
                slack_user_id="U1",
                onboarded_at=NOW,
                self_placement="often_lead",
                start_confidence=90,
                start_step=5,
            )
        )
    with db.session() as s:
        mine = coachees.start_answers(s, team_id="T1")
        everywhere = coachees.start_answers(s, team_id=None)
    assert sorted((tuple(r) for r in mine), key=lambda r: r[2]) == [
        ("when_asked", 40, 2),
        (None, None, 3),
    ]
    assert len(everywhere) == 3

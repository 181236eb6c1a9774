"""ProgressService: her progress as /voice progress and the Home tab show it, read in as
few statements as her data allows (every Home tab open comes here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.content import load_ladder
from bot.models import Attempt, Coachee, EfficacyCheck, Pause
from bot.services.progress import ProgressService
from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)  # a Thursday
LADDER = load_ladder()


@pytest.fixture
def progress(db):
    return ProgressService(db, FakeClock(NOW), LADDER)


def _started(db, user: str = "UMILA") -> int:
    with db.session() as s:
        coachee = Coachee(
            team_id="T1",
            slack_user_id=user,
            tz="UTC",
            goal="Speak up",
            onboarded_at=NOW - timedelta(weeks=5),
            start_step=2,
            current_step=2,
            current_challenge_id=LADDER.step(2).challenges[0].id,
        )
        s.add(coachee)
        s.flush()
        # A win in each of the last three weeks but one: that one breaks her streak.
        for weeks_ago in (0, 1, 3):
            s.add(
                Attempt(
                    team_id="T1",
                    coachee_id=coachee.id,
                    step=2,
                    challenge_id=coachee.current_challenge_id,
                    outcome="did_it",
                    occurred_at=NOW - timedelta(weeks=weeks_ago),
                )
            )
        return coachee.id


def _check(coachee_id: int, round: int, when: datetime, answer: int | None = None):
    """Her check of ``round``: answered (every item ``answer``) or only offered."""
    return EfficacyCheck(
        team_id="T1",
        coachee_id=coachee_id,
        round=round,
        status="offered" if answer is None else "answered",
        offered_at=when,
        answered_at=None if answer is None else when,
        **{f"item_{n}": answer for n in range(1, 7)},
    )


def _statements(db, work) -> list[str]:
    sent = []
    listener = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        work()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return sent


def test_someone_who_never_paused_nor_answered_a_check_costs_two_reads(db, progress):
    _started(db)
    sent = _statements(db, lambda: progress.progress(team_id="T1", user_id="UMILA"))
    assert len(sent) == 2  # her row (which says she has neither), her attempts
    shown = progress.progress(team_id="T1", user_id="UMILA")
    assert (shown.wins, shown.streak, shown.growth, shown.checks) == (3, 2, None, [])


def test_a_paused_week_keeps_her_streak(db, progress):
    coachee_id = _started(db)
    two_weeks_ago = NOW - timedelta(weeks=2)
    with db.session() as s:
        s.add(
            Pause(
                team_id="T1",
                coachee_id=coachee_id,
                starts_at=two_weeks_ago - timedelta(days=4),
                ends_at=two_weeks_ago + timedelta(days=4),
            )
        )
    assert progress.progress(team_id="T1", user_id="UMILA").streak == 3


def test_an_answered_check_shows_as_her_growth_and_an_offered_one_does_not(db, progress):
    coachee_id = _started(db)
    with db.session() as s:
        s.add(_check(coachee_id, 1, NOW - timedelta(days=1)))
    shown = progress.progress(team_id="T1", user_id="UMILA")
    assert (shown.growth, shown.checks) == (None, [])
    with db.session() as s:
        s.add(_check(coachee_id, 0, NOW - timedelta(weeks=5), answer=60))
    shown = progress.progress(team_id="T1", user_id="UMILA")
    assert shown.growth is not None and round(shown.growth.latest) == 60
    assert shown.checks == [(NOW - timedelta(weeks=5), 60.0)]


def test_someone_else_s_pauses_and_checks_are_not_hers(db, progress):
    _started(db)
    other = _started(db, "UOTHER")
    with db.session() as s:
        s.add(Pause(team_id="T1", coachee_id=other, starts_at=NOW - timedelta(weeks=3)))
        s.add(_check(other, 0, NOW, answer=90))
    sent = _statements(db, lambda: progress.progress(team_id="T1", user_id="UMILA"))
    assert len(sent) == 2
    shown = progress.progress(team_id="T1", user_id="UMILA")
    assert (shown.streak, shown.growth) == (2, None)


def test_nobody_who_has_not_started_has_progress(db, progress):
    assert progress.progress(team_id="T1", user_id="UNOBODY") is None
    with db.session() as s:
        s.add(Coachee(team_id="T1", slack_user_id="UNEW"))
    assert progress.progress(team_id="T1", user_id="UNEW") is None

"""CoachingService and the pool: her profile starts from her own estimate of herself,
read against everyone's who started in her workspace, and learns it when more start."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.content import load_ladder
from bot.domain import difficulty
from bot.models import Attempt, Coachee
from bot.services.coaching import POPULATION_FRESH, CoachingService
from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LADDER = load_ladder()


def _started(session, user: str, placement: str, confidence: int, team: str = "T1") -> Coachee:
    coachee = Coachee(
        team_id=team,
        slack_user_id=user,
        onboarded_at=NOW,
        self_placement=placement,
        start_confidence=confidence,
        start_step=3,
        current_step=3,
        current_challenge_id=LADDER.step(3).challenges[0].id,
    )
    session.add(coachee)
    session.flush()
    return coachee


def _her_ability(db, service) -> float:
    with db.session() as s:
        mila = s.exec(select(Coachee).where(Coachee.slack_user_id == "UMILA")).one()
        history = list(s.exec(select(Attempt).where(Attempt.coachee_id == mila.id)))
        her, _ = service.learn(s, mila, history)
        s.rollback()  # only reading her profile here
    return her.ability


def test_her_start_is_read_against_her_colleagues_once_enough_have_started(db):
    clock = FakeClock(NOW)
    service = CoachingService(db, clock, LADDER)
    with db.session() as s:
        mila = _started(s, "UMILA", "sometimes", 95)  # she rates herself high
        s.add(
            Attempt(
                team_id="T1",
                coachee_id=mila.id,
                step=3,
                challenge_id=mila.current_challenge_id,
                outcome="did_it",  # a win, no more said: her start shows through
                occurred_at=NOW,
            )
        )
    alone = _her_ability(db, service)

    with db.session() as s:
        for n in range(difficulty.POPULATION_AFTER + 2):
            _started(s, f"U{n}", "when_asked", 30 + n % 3)  # her colleagues: lower
            _started(s, f"U{n}", "often_lead", 100, team="T2")  # another workspace's
    assert _her_ability(db, service) == alone  # what it knew a moment ago
    clock.advance(seconds=POPULATION_FRESH.total_seconds() + 1)
    among_them = _her_ability(db, service)
    assert among_them < alone - 1.0

    everywhere = CoachingService(db, clock, LADDER, pool_everywhere=True)
    # Everyone everywhere: T2's people rate themselves higher, so she is mid-pool.
    assert _her_ability(db, everywhere) > among_them + 1.0

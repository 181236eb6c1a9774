"""The workspace's reliable-change threshold, worked out again at most every 10 minutes."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.models import Coachee, EfficacyCheck
from bot.services.efficacy import Thresholds
from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _answers(db, people: int) -> None:
    rng = random.Random(3)
    with db.session() as s:
        for n in range(people):
            coachee = Coachee(team_id="T1", slack_user_id=f"U{n}", created_at=NOW, updated_at=NOW)
            s.add(coachee)
            s.flush()
            base = rng.randint(20, 80)
            items = {
                f"item_{i}": max(0, min(100, base + rng.randint(-10, 10))) for i in range(1, 7)
            }
            s.add(
                EfficacyCheck(
                    team_id="T1",
                    coachee_id=coachee.id,
                    round=0,
                    status="answered",
                    offered_at=NOW,
                    answered_at=NOW,
                    **items,
                )
            )


def test_the_threshold_is_read_again_only_after_ten_minutes(db):
    clock = FakeClock(NOW)
    thresholds = Thresholds(clock)
    with db.reading() as c:
        assert thresholds.of(c, team_id="T1").from_people == 0  # the stated defaults
    _answers(db, 30)
    clock.advance(minutes=9)
    with db.reading() as c:
        assert thresholds.of(c, team_id="T1").from_people == 0  # not read again yet
    clock.advance(minutes=1)
    with db.reading() as c:
        assert thresholds.of(c, team_id="T1").from_people == 30
    with db.reading() as c:  # another workspace is its own
        assert thresholds.of(c, team_id="T2").from_people == 0

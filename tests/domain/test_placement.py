"""Placement: a small win first, never above her own estimate."""

from __future__ import annotations

import pytest

from bot.domain.placement import SelfPlacement, starting_step

CASES = [
    (SelfPlacement.RARELY, 0, 1),
    (SelfPlacement.RARELY, 50, 2),
    (SelfPlacement.RARELY, 100, 3),
    (SelfPlacement.WHEN_ASKED, 50, 3),  # the persona: speak when the floor is opened
    (SelfPlacement.WHEN_ASKED, 20, 3),
    (SelfPlacement.WHEN_ASKED, 10, 2),
    (SelfPlacement.SOMETIMES, 50, 4),
    (SelfPlacement.OFTEN_LEAD, 50, 6),
    (SelfPlacement.OFTEN_LEAD, 100, 7),
]


@pytest.mark.parametrize(("placement", "confidence", "step"), CASES)
def test_starting_step(placement, confidence, step):
    assert starting_step(placement, confidence, top=8) == step


def test_never_beyond_the_ladder():
    assert starting_step(SelfPlacement.OFTEN_LEAD, 100, top=5) == 5
    assert starting_step(SelfPlacement.RARELY, 0, top=8) >= 1

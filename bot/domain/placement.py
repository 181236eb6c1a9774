"""Where on the ladder she starts: a step where success is likely (a small win first).

Her answers become an estimate of the step she could manage about 80 % of the
time; she starts on the highest whole step at or below it, never above. For the
persona of PRODUCT §1 ("I speak when asked", moderately confident) that is step
3, speaking when the facilitator opens the floor.
"""

from __future__ import annotations

import math
from enum import StrEnum


class SelfPlacement(StrEnum):
    RARELY = "rarely"
    WHEN_ASKED = "when_asked"
    SOMETIMES = "sometimes"
    OFTEN_LEAD = "often_lead"


SELF_PLACEMENT_LABELS = {
    SelfPlacement.RARELY: "I rarely speak",
    SelfPlacement.WHEN_ASKED: "I speak when asked",
    SelfPlacement.SOMETIMES: "I share ideas sometimes",
    SelfPlacement.OFTEN_LEAD: "I often lead",
}

_SKILL = {
    SelfPlacement.RARELY: 2.5,
    SelfPlacement.WHEN_ASKED: 3.5,
    SelfPlacement.SOMETIMES: 4.5,
    SelfPlacement.OFTEN_LEAD: 6.5,
}


def estimate_skill(placement: SelfPlacement, confidence: int) -> float:
    """Her self-placement, nudged by up to ±0.83 steps by her confidence (0–100)."""
    return _SKILL[placement] + (confidence - 50) / 60


def place_from_estimate(estimate: float, *, top: int) -> int:
    return min(top, max(1, math.floor(estimate)))


def starting_step(placement: SelfPlacement, confidence: int, *, top: int) -> int:
    return place_from_estimate(estimate_skill(placement, confidence), top=top)

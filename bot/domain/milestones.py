"""Which milestones a new win or step reaches. Pure rules."""

from __future__ import annotations

STREAK_MILESTONES = (5, 10, 25, 50, 100)


def streak_milestone(before: int, after: int) -> int | None:
    """The streak milestone crossed when her streak went from ``before`` to ``after``."""
    crossed = [m for m in STREAK_MILESTONES if before < m <= after]
    return crossed[-1] if crossed else None

"""If-then plans (implementation intentions): "When X, I will Y", fixed before a meeting.

Deciding in advance *when* and *what* makes following through much more likely: a
meta-analysis of 94 studies found a medium-to-large effect (Gollwitzer & Sheeran 2006,
d = 0.65), larger when the plan names the moment and the action. Pure rules: no Slack,
no database.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.ladder import Challenge

# A plan she writes herself: one moment, one action. Long enough for "When the
# facilitator asks for questions about the roadmap, I will share my point about the
# Q3 risks" (about 90 characters) with room to spare; short enough to rehearse.
MAX_OWN_PLAN = 200


class PlanSource(StrEnum):
    SUGGESTED = "suggested"
    OWN = "own"


class PlanFired(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


FIRED_LABELS = {
    PlanFired.YES: "It fired",
    PlanFired.PARTLY: "Partly",
    PlanFired.NO: "Not this time",
}


class PlanProblem(ValueError):
    """Her own plan can't be kept as typed; the message says how to fix it, kindly."""


def suggested_plan(challenge: Challenge) -> str | None:
    """The plan offered for this challenge: the content's first (None if it has none)."""
    return challenge.plans[0] if challenge.plans else None


def clean_own_plan(text: str | None) -> str:
    """Her plan as she typed it, on one line; PlanProblem if empty or too long."""
    plan = " ".join((text or "").split())
    if not plan:
        raise PlanProblem(
            "Write your plan in a line, like “When …, I will …”, "
            "or close this and tap Use this plan."
        )
    if len(plan) > MAX_OWN_PLAN:
        raise PlanProblem(
            f"That's {len(plan)} characters; keep it to {MAX_OWN_PLAN}: "
            "one moment and one action is all a plan needs."
        )
    return plan

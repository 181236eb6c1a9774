"""The progression policy: when to offer a step up, a smaller step, or neither.

Where it starts: the psychophysics *transformed staircase*. Move up after n
successes in a row, down after one miss, and the difficulty settles where the
chance of n successes in a row is one half, at a success rate of 0.5^(1/n):
70.7 % for n=2, 79.4 % for n=3, 84.1 % for n=4. Self-efficacy grows when most
attempts succeed, but not all (PRODUCT §2): the target is about 75–85 %.

Why not the plain staircase: it only hears "yes" or "no". It needs several
wins to learn that a step has become easy (her skill grows while she waits),
and it steps down on a single miss that may only mean the moment never came.
People tell us more than that, so each attempt adds *evidence* from what
happened and how it felt (the table below), and the running total decides:

* up at +2.5, down at -2.0; otherwise she stays and keeps practising;
* older evidence fades (x0.7 per newer attempt), because she is learning:
  what was hard three meetings ago says less about today;
* a setback wipes out the credit earlier wins had built, as in the
  staircase's "in a row" (wins only soften earlier misses).

Read off the table, with evidence fading:

* four plain wins ("about right") in a row offer the next step — the n=4
  staircase — but one win that felt *too easy* offers it at once;
* three plain misses in a row offer a smaller step ("after repeated misses",
  PRODUCT §3.5), but one miss that felt *too hard* offers it at once;
* a win that felt *too hard* is a true mastery experience at the edge: it
  neither climbs nor descends, she consolidates;
* a miss that felt *too easy* is no evidence about her (the chance never came);
* a drop in her confidence of 30 points or more over a meeting she missed
  counts as *too hard*: preventing that drop is what a smaller step is for;
* "the meeting didn't happen" is no evidence at all.

The history passed in starts when she arrived at her current step (or when she
last turned an offer down), so a declined offer returns only on fresh
evidence. ``bench/coaching_policy.py`` simulates this policy on a population
against a fixed pace and against never moving.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.attempts import AttemptResult, Felt, Outcome

UP_AT = 2.5
DOWN_AT = -2.0
FADE = 0.7
CONFIDENCE_DROP = 30

EVIDENCE: dict[tuple[Outcome, Felt], float] = {
    (Outcome.DID_IT, Felt.TOO_EASY): 3.0,
    (Outcome.DID_IT, Felt.ABOUT_RIGHT): 1.0,
    (Outcome.DID_IT, Felt.TOO_HARD): 0.0,
    (Outcome.PARTLY, Felt.TOO_EASY): 1.0,
    (Outcome.PARTLY, Felt.ABOUT_RIGHT): -0.25,
    (Outcome.PARTLY, Felt.TOO_HARD): -2.0,
    (Outcome.NOT_THIS_TIME, Felt.TOO_EASY): 0.0,
    (Outcome.NOT_THIS_TIME, Felt.ABOUT_RIGHT): -1.0,
    (Outcome.NOT_THIS_TIME, Felt.TOO_HARD): -3.0,
}


class Move(StrEnum):
    UP = "up"
    DOWN = "down"
    STAY = "stay"


class Reason(StrEnum):
    MASTERED = "mastered"  # wins added up
    FELT_EASY = "felt_easy"  # the newest win felt too easy
    REPEATED_MISSES = "repeated_misses"
    TOO_HARD = "too_hard"  # the newest miss felt too hard
    KEEP_GOING = "keep_going"
    AT_TOP = "at_top"
    AT_BOTTOM = "at_bottom"


@dataclass(frozen=True)
class Recommendation:
    move: Move
    reason: Reason
    evidence: float


def felt(attempt: AttemptResult) -> Felt:
    """How it felt, with a big confidence drop over a miss read as too hard."""
    before, after = attempt.confidence_before, attempt.confidence_after
    dropped = before is not None and after is not None and before - after >= CONFIDENCE_DROP
    if dropped and attempt.outcome in (Outcome.NOT_THIS_TIME, Outcome.PARTLY):
        return Felt.TOO_HARD
    return attempt.felt or Felt.ABOUT_RIGHT


def evidence(history: Sequence[AttemptResult]) -> float:
    total = 0.0
    for attempt in history:
        if attempt.happened:
            value = EVIDENCE[(attempt.outcome, felt(attempt))]
            if value < 0 < total:
                total = 0.0
            total = total * FADE + value
    return total


def recommend(history: Sequence[AttemptResult], *, step: int, top: int) -> Recommendation:
    """What to offer after the newest attempt in ``history`` (oldest first)."""
    total = evidence(history)
    newest = next((a for a in reversed(history) if a.happened), None)
    if total >= UP_AT:
        if step >= top:
            return Recommendation(Move.STAY, Reason.AT_TOP, total)
        quick = newest is not None and felt(newest) is Felt.TOO_EASY
        return Recommendation(Move.UP, Reason.FELT_EASY if quick else Reason.MASTERED, total)
    if total <= DOWN_AT:
        if step <= 1:
            return Recommendation(Move.STAY, Reason.AT_BOTTOM, total)
        hard = newest is not None and felt(newest) is Felt.TOO_HARD
        return Recommendation(Move.DOWN, Reason.TOO_HARD if hard else Reason.REPEATED_MISSES, total)
    return Recommendation(Move.STAY, Reason.KEEP_GOING, total)

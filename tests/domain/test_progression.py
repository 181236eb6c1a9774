"""The progression policy, as a table: history in, offer out."""

from __future__ import annotations

import pytest

from bot.domain.attempts import AttemptResult, Felt, Outcome
from bot.domain.progression import Move, Reason, evidence, recommend

WIN = AttemptResult(Outcome.DID_IT, Felt.ABOUT_RIGHT)
EASY_WIN = AttemptResult(Outcome.DID_IT, Felt.TOO_EASY)
HARD_WIN = AttemptResult(Outcome.DID_IT, Felt.TOO_HARD)
MISS = AttemptResult(Outcome.NOT_THIS_TIME, Felt.ABOUT_RIGHT)
HARD_MISS = AttemptResult(Outcome.NOT_THIS_TIME, Felt.TOO_HARD)
NO_CHANCE = AttemptResult(Outcome.NOT_THIS_TIME, Felt.TOO_EASY)
PARTLY = AttemptResult(Outcome.PARTLY, Felt.ABOUT_RIGHT)
HARD_PARTLY = AttemptResult(Outcome.PARTLY, Felt.TOO_HARD)
NO_MEETING = AttemptResult(Outcome.DID_NOT_HAPPEN)
SHAKEN = AttemptResult(Outcome.NOT_THIS_TIME, Felt.ABOUT_RIGHT, 70, 30)
SLIGHTLY_SHAKEN = AttemptResult(Outcome.NOT_THIS_TIME, Felt.ABOUT_RIGHT, 70, 50)

CASES = [
    # history, step, expected move, reason
    ([], 3, Move.STAY, Reason.KEEP_GOING),
    ([WIN], 3, Move.STAY, Reason.KEEP_GOING),
    ([WIN, WIN, WIN], 3, Move.STAY, Reason.KEEP_GOING),
    ([WIN, WIN, WIN, WIN], 3, Move.UP, Reason.MASTERED),  # the n=4 staircase
    ([EASY_WIN], 3, Move.UP, Reason.FELT_EASY),  # one easy win is enough
    ([WIN, NO_MEETING, WIN, NO_MEETING, WIN, WIN], 3, Move.UP, Reason.MASTERED),
    ([NO_MEETING] * 6, 3, Move.STAY, Reason.KEEP_GOING),  # no evidence at all
    ([HARD_WIN] * 6, 3, Move.STAY, Reason.KEEP_GOING),  # wins at the edge: consolidate
    ([MISS], 3, Move.STAY, Reason.KEEP_GOING),  # one miss is information, not a verdict
    ([MISS, MISS], 3, Move.STAY, Reason.KEEP_GOING),
    ([MISS, MISS, MISS], 3, Move.DOWN, Reason.REPEATED_MISSES),
    ([HARD_MISS], 3, Move.DOWN, Reason.TOO_HARD),
    ([NO_CHANCE] * 5, 3, Move.STAY, Reason.KEEP_GOING),  # the moment never came
    ([MISS, HARD_PARTLY], 3, Move.DOWN, Reason.TOO_HARD),
    ([PARTLY] * 5, 3, Move.STAY, Reason.KEEP_GOING),
    ([SHAKEN], 3, Move.DOWN, Reason.TOO_HARD),  # confidence fell 40 points
    ([SLIGHTLY_SHAKEN], 3, Move.STAY, Reason.KEEP_GOING),
    ([MISS, MISS, WIN, WIN], 3, Move.STAY, Reason.KEEP_GOING),  # wins outweigh old misses
    ([WIN, WIN, MISS, MISS, MISS], 3, Move.DOWN, Reason.REPEATED_MISSES),
    ([EASY_WIN], 8, Move.STAY, Reason.AT_TOP),
    ([HARD_MISS], 1, Move.STAY, Reason.AT_BOTTOM),
]


@pytest.mark.parametrize(("history", "step", "move", "reason"), CASES)
def test_policy_table(history, step, move, reason):
    recommendation = recommend(history, step=step, top=8)
    assert (recommendation.move, recommendation.reason) == (move, reason)


def test_older_evidence_fades():
    assert evidence([MISS, WIN]) > evidence([WIN, MISS])
    assert evidence([WIN, WIN]) == pytest.approx(1.7)


def test_a_missing_felt_counts_as_about_right():
    assert evidence([AttemptResult(Outcome.DID_IT)]) == evidence([WIN])

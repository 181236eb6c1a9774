"""Challenge difficulty pooled across people: scores, the Elo step, picks, the report."""

from __future__ import annotations

import random

import pytest

from bot.domain import difficulty as d
from bot.domain.attempts import Felt, Outcome

STEP4 = [("a", 4), ("b", 4), ("c", 4)]


def trusted(challenge_id: str, value: float) -> d.Rating:
    return d.Rating(challenge_id, value, d.TRUSTED_AFTER)


def test_scores_read_outcome_and_feel_and_a_missed_chance_says_nothing():
    assert (
        d.score(Outcome.DID_IT, Felt.TOO_EASY)
        > d.score("did_it", None)
        > d.score("partly", "about_right")
        > d.score("not_this_time", "about_right")
        > d.score("not_this_time", "too_hard")
    )
    assert d.score(Outcome.NOT_THIS_TIME, Felt.TOO_EASY) is None
    assert d.score(Outcome.DID_NOT_HAPPEN, None) is None


def test_at_her_level_she_succeeds_four_times_in_five():
    assert d.chance(4.0, 4.0) == pytest.approx(0.8)
    assert d.chance(5.0, 4.0) > 0.9 > 0.6 > d.chance(3.0, 4.0)


def test_surprising_results_move_difficulty_and_settle_on_the_truth():
    rating = d.Rating("a", 4.0, 0)
    assert d.difficulty_change(rating, ability=4.0, observed=0.0) > 0  # a miss: harder
    assert d.difficulty_change(rating, ability=4.0, observed=1.0) < 0
    rng = random.Random(3)
    for _ in range(400):  # people at step 4 manage it half the time: it is harder
        observed = 0.9 if rng.random() < 0.5 else 0.1
        change = d.difficulty_change(rating, ability=4.0, observed=observed)
        rating = d.Rating("a", rating.difficulty + change, rating.attempts + 1)
    assert 4.6 < rating.difficulty < 5.3


def test_without_enough_attempts_the_step_s_first_challenge_is_kept():
    assert d.pick(STEP4, {}, ability=4.6) == "a"
    few = {"b": d.Rating("b", 3.0, 1)}
    assert d.pick(STEP4, few, ability=4.0) == "a"
    assert d.pick(STEP4, {}, ability=4.0, current="c") == "c"  # a tie keeps hers


def test_within_her_step_the_pool_picks_what_stretches_her():
    pool = {"a": trusted("a", 4.8), "b": trusted("b", 4.0), "c": trusted("c", 3.4)}
    assert d.pick(STEP4, pool, ability=4.0) == "b"
    assert d.pick(STEP4, pool, ability=4.8) == "a"  # ahead of her step: the harder one
    assert d.pick(STEP4, pool, ability=3.5) == "c"


def test_her_ability_follows_her_results_but_stays_near_her_step():
    pool = {"a": trusted("a", 4.0)}
    wins = [d.Observation("a", 4, 1.0)] * 3
    misses = [d.Observation("a", 4, 0.0)] * 3
    assert (
        d.ability(wins, pool, start=4.0, step=4) > 4.0 > d.ability(misses, pool, start=4.0, step=4)
    )
    assert d.ability(wins * 20, pool, start=4.0, step=4) == 4.0 + d.ABILITY_SPAN


def test_the_report_flags_challenges_on_the_wrong_step_hardest_misfit_first():
    pool = {
        "a": trusted("a", 5.5),
        "b": trusted("b", 4.2),
        "c": trusted("c", 3.2),
        "x": d.Rating("x", 7.0, d.TRUSTED_AFTER - 1),  # too few attempts to say
    }
    found = d.misplaced([*STEP4, ("x", 4)], pool)
    assert [(m.challenge_id, m.belongs_on) for m in found] == [("a", 5.5), ("c", 3.2)]


def test_placement_uses_the_pool_as_a_prior():
    steps = [[(f"s{n}{c}", n) for c in "ab"] for n in range(1, 9)]
    assert d.place(4.3, steps, {}) == (4, "s4a")  # no data: as before
    easier = {"s4b": trusted("s4b", 3.9), "s4a": trusted("s4a", 4.6)}
    assert d.place(4.1, steps, easier) == (4, "s4b")
    harder = {"s4a": trusted("s4a", 5.3), "s4b": trusted("s4b", 5.0)}
    assert d.place(4.2, steps, harder)[0] == 3  # the whole step is harder than she thinks

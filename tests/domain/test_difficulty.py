"""Challenge difficulty pooled across people, fitted with each person's own profile
(ability and an offset per kind of challenge): evidence, updates, picks, the report."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import difficulty as d
from bot.domain.attempts import Felt, Outcome

STEP4 = [("a", 4, "ask"), ("b", 4, "opinion"), ("c", 4, "summarise")]
KINDS = ("ask", "opinion", "summarise")


def trusted(challenge_id: str, value: float) -> d.Rating:
    """A rating many attempts settled."""
    return d.Rating(
        challenge_id, value, 3 * d.TRUSTED_AFTER, 1 / d.MIN_SPREAD**2 - d.PRIOR_INFORMATION
    )


def seen(outcome, felt=None, challenge_id="a", kind="ask") -> d.Observation:
    return d.observation(challenge_id, 4, kind, outcome, felt)


def at(ability: float) -> d.Profile:
    return d.new_profile(ability, KINDS)


def test_a_meeting_that_did_not_happen_or_a_chance_that_never_came_says_nothing():
    assert d.observation("a", 4, "ask", Outcome.DID_NOT_HAPPEN, None) is None
    assert d.observation("a", 4, "ask", "not_this_time", "too_easy") is None
    assert d.observation("a", 4, "ask", "did_it", "too_easy") is not None


def test_at_her_level_she_succeeds_four_times_in_five():
    assert d.chance(4.0, 4.0) == pytest.approx(0.8)
    assert d.chance(5.0, 4.0) > 0.9 > 0.6 > d.chance(3.0, 4.0)


@given(st.floats(-4, 6))
def test_better_results_and_easier_feelings_say_her_logit_was_higher(logit):
    def said(outcome, felt):
        # the likelihood itself, also for what ``observation`` would drop
        return d.Observation("a", 4, "ask", outcome, felt)

    def slope(outcome, felt):
        return d.surprise(said(outcome, felt), logit)[0]

    assert slope(Outcome.DID_IT, None) > slope(Outcome.NOT_THIS_TIME, None)
    for outcome in (Outcome.DID_IT, Outcome.NOT_THIS_TIME):
        assert slope(outcome, Felt.TOO_EASY) > slope(outcome, Felt.ABOUT_RIGHT)
        assert slope(outcome, Felt.ABOUT_RIGHT) > slope(outcome, Felt.TOO_HARD)
    for outcome in Outcome.DID_IT, Outcome.PARTLY, Outcome.NOT_THIS_TIME:
        for felt in (None, *Felt):
            assert d.surprise(said(outcome, felt), logit)[1] >= 0  # never negative


@given(
    st.floats(-5, 6),  # beyond, "about right" is so unlikely that the numbers lose it
    st.sampled_from([Outcome.DID_IT, Outcome.PARTLY, Outcome.NOT_THIS_TIME]),
    st.sampled_from([None, *Felt]),
)
def test_the_closed_form_surprise_is_the_likelihoods_slope_and_curvature(logit, outcome, felt):
    # ``surprise`` is written out by hand for speed: it must stay the derivatives of
    # ``log_likelihood`` (here taken numerically), or every update would drift.
    said = d.Observation("a", 4, "ask", outcome, felt)
    h = 1e-3  # the curvature's rounding error grows as 1/h**2
    up, mid, down = (d.log_likelihood(logit + e, outcome, felt) for e in (h, 0.0, -h))
    slope, information = d.surprise(said, logit)
    assert slope == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-5)
    assert information == pytest.approx(max(0.0, -(up - 2 * mid + down) / h**2), rel=1e-3, abs=1e-3)


def test_a_plain_win_in_the_stretch_zone_is_no_surprise_about_how_it_felt():
    # "About right" is her reading of the stretch zone: at its middle, a win that felt
    # about right moves her less than one that felt too easy.
    middle = d.TARGET_LOGIT
    assert abs(d.surprise(seen(Outcome.DID_IT, Felt.ABOUT_RIGHT), middle)[0]) < 0.5
    assert d.surprise(seen(Outcome.DID_IT, Felt.TOO_EASY), middle)[0] > 1


def learned(rating: d.Rating, her: d.Profile, result: d.Observation) -> d.Rating:
    change, information = d.rating_change(rating, her, result)
    return d.Rating(
        rating.challenge_id,
        rating.difficulty + change,
        rating.attempts + 1,
        rating.information + information,
    )


def known(ability: float) -> d.Profile:
    """Someone whose ability we know well (her profile after many attempts)."""
    return replace(
        at(ability), covariance=((0.01, 0, 0, 0), (0, 0.01, 0, 0), (0, 0, 0.01, 0), (0, 0, 0, 0.01))
    )


def test_surprising_results_move_difficulty_and_settle_on_the_truth():
    rating = d.rating_or_prior({}, "a", 4)
    assert (rating.difficulty, rating.attempts, rating.information) == (4.0, 0, 0.0)
    assert d.rating_change(rating, at(4.0), seen("not_this_time"))[0] > 0  # harder
    assert d.rating_change(rating, at(4.0), seen("did_it"))[0] < 0
    rng = random.Random(3)
    true = 4.8  # people of ability 4 find it nearer step 5
    for _ in range(600):
        won = rng.random() < d.chance(4.0, true)
        rating = learned(rating, known(4.0), seen(Outcome.DID_IT if won else Outcome.NOT_THIS_TIME))
    assert 4.5 < rating.difficulty < 5.1
    assert rating.variance == pytest.approx(d.MIN_SPREAD**2)  # as sure as a rating gets


def test_a_challenge_s_first_attempts_move_it_less_than_a_step():
    # Before anyone tried it, the ladder's word counts: a miss that felt too hard from
    # someone it should have suited moves it part of a step, each later one less.
    rating = d.rating_or_prior({}, "a", 4)
    shock = seen(Outcome.NOT_THIS_TIME, Felt.TOO_HARD)
    moves = []
    for _ in range(5):
        before = rating.difficulty
        rating = learned(rating, known(4.0), shock)
        moves.append(rating.difficulty - before)
    assert 0 < moves[0] < 0.7
    assert moves == sorted(moves, reverse=True)
    assert rating.information > 0 and rating.attempts == 5


def test_an_attempt_by_someone_we_hardly_know_says_little_about_the_challenge():
    rating = d.Rating("a", 4.0, 10, 10.0)
    miss = seen(Outcome.NOT_THIS_TIME, Felt.TOO_HARD)
    newcomer = d.rating_change(rating, at(4.0), miss)
    regular = d.rating_change(rating, known(4.0), miss)
    assert 0 < newcomer[0] < regular[0]
    assert 0 < newcomer[1] < regular[1]


def test_her_attempt_at_an_untried_challenge_says_less_about_her():
    miss = seen(Outcome.NOT_THIS_TIME, Felt.TOO_HARD)
    untried = d.observe(at(4.0), miss, d.Rating("a", 4.0))
    settled = d.observe(at(4.0), miss, d.Rating("a", 4.0, 40, 60.0))
    assert settled.ability < untried.ability < at(4.0).ability + d.GROWTH


def test_the_pool_is_judged_against_her_own_strengths():
    # A win at a kind that suits her says less about the challenge than a win from
    # someone for whom that kind is as hard as for most (the joint fit).
    rating = d.Rating("a", 4.0, 10, 10.0)
    plain = at(4.0)
    suited = replace(plain, offsets=(0.6, 0.0, 0.0))  # questions come easily to her
    win = seen("did_it")
    assert suited.offset("ask") == 0.6 and suited.offset("unknown") == 0.0
    for_her = d.rating_change(rating, suited, win)[0]
    for_most = d.rating_change(rating, plain, win)[0]
    assert for_most < for_her <= 0


def test_her_ability_follows_her_results_but_stays_near_her_step():
    pool = {"a": trusted("a", 4.0)}
    wins = [seen("did_it", "too_easy")] * 3
    misses = [seen("not_this_time", "too_hard")] * 3

    def ability(history):
        return d.profile(history, pool, kinds=KINDS, start=4.0, step=4).ability

    assert ability(wins) > ability([]) > ability(misses)
    assert ability(wins * 20) == 4.0 + d.ABILITY_SPAN
    # (she keeps learning, so misses alone settle her a little below her step)
    below = d.profile(misses * 20, pool, kinds=KINDS, start=2.0, step=4)
    assert below.ability == 4.0 - d.ABILITY_SPAN


def test_she_learns_which_kinds_suit_her_and_one_attempt_says_little():
    pool = {"a": trusted("a", 4.0), "b": trusted("b", 4.0)}
    asks = [seen("did_it", "too_easy", "a", "ask")]
    views = [seen("not_this_time", "too_hard", "b", "opinion")]
    once = d.profile(asks + views, pool, kinds=KINDS, start=4.0, step=4)
    often = d.profile((asks + views) * 4, pool, kinds=KINDS, start=4.0, step=4)
    assert once.offset("ask") > 0 > once.offset("opinion")
    assert once.offset("summarise") == pytest.approx(0.0, abs=0.05)  # untried: shrunk to 0
    assert often.offset("ask") - often.offset("opinion") > once.offset("ask") - once.offset(
        "opinion"
    )


def test_without_attempts_the_step_s_first_challenge_is_kept():
    assert d.pick(STEP4, {}, at(4.6)) == "a"
    assert d.pick(STEP4, {}, at(4.0), current="c") == "c"  # a tie keeps hers
    # One attempt moves a rating only as far as it says, and picks follow it; the
    # report waits for enough attempts.
    once = learned(d.rating_or_prior({}, "a", 4), known(5.0), seen("not_this_time", "too_hard"))
    assert d.pick(STEP4, {"a": once}, at(4.0)) == "b"
    assert d.misplaced([("a", 4)], {"a": replace(once, difficulty=5.0)}) == []


def test_within_her_step_the_pool_picks_what_stretches_her():
    pool = {"a": trusted("a", 4.8), "b": trusted("b", 4.0), "c": trusted("c", 3.4)}
    assert d.pick(STEP4, pool, at(4.0)) == "b"
    assert d.pick(STEP4, pool, at(4.8)) == "a"  # ahead of her step: the harder one
    assert d.pick(STEP4, pool, at(3.5)) == "c"
    # Half a step ahead, the question would stretch most people; questions are hard
    # for her, so she gets the view instead.
    assert d.pick(STEP4, pool, at(4.5)) == "a"
    assert d.pick(STEP4, pool, replace(at(4.5), offsets=(-0.5, 0.0, 0.0))) == "b"


@given(
    st.floats(1, 8),
    st.lists(st.floats(2, 6), min_size=3, max_size=3),
    st.lists(st.floats(-0.8, 0.8), min_size=3, max_size=3),
)
def test_the_pick_is_the_one_nearest_the_middle_of_the_stretch_zone(ability, values, offsets):
    pool = {cid: trusted(cid, v) for (cid, _, _), v in zip(STEP4, values, strict=True)}
    her = replace(at(ability), offsets=tuple(offsets))
    chosen = d.pick(STEP4, pool, her)

    def distance(item):
        return abs(her.logit(pool[item[0]].difficulty, item[2]) - d.TARGET_LOGIT)

    best = min(distance(item) for item in STEP4)
    assert distance(next(item for item in STEP4 if item[0] == chosen)) <= best + 1e-3


def test_the_report_flags_challenges_on_the_wrong_step_hardest_misfit_first():
    pool = {
        "a": trusted("a", 5.5),
        "b": trusted("b", 4.2),
        "c": trusted("c", 3.2),
        "x": d.Rating("x", 7.0, d.TRUSTED_AFTER - 1),  # too few attempts to say
    }
    found = d.misplaced([*STEP4, ("x", 4, "ask")], pool)
    assert [(m.challenge_id, m.belongs_on) for m in found] == [("a", 5.5), ("c", 3.2)]


def test_placement_uses_the_pool_as_a_prior():
    steps = [[(f"s{n}{c}", n, "ask") for c in "ab"] for n in range(1, 9)]
    assert d.place(4.3, steps, {}) == (4, "s4a")  # no data: as before
    easier = {"s4b": trusted("s4b", 3.9), "s4a": trusted("s4a", 4.6)}
    assert d.place(4.1, steps, easier) == (4, "s4b")
    harder = {"s4a": trusted("s4a", 5.3), "s4b": trusted("s4b", 5.0)}
    assert d.place(4.2, steps, harder)[0] == 3  # the whole step is harder than she thinks


def test_within_her_step_she_keeps_todays_challenge_unless_another_is_clearly_better():
    pool = {c: trusted(c, v) for c, v in (("a", 4.06), ("b", 4.22), ("c", 3.2))}
    her = at(4.0)
    assert d.pick(STEP4, pool, her) == "a"  # closest to the middle of the zone
    # b is a little further: she keeps it, but never one far off.
    assert d.pick(STEP4, pool, her, current="b", keep_within=d.REPICK_MARGIN) == "b"
    assert d.pick(STEP4, pool, her, current="c", keep_within=d.REPICK_MARGIN) == "a"
    assert d.pick(STEP4, pool, her, current="b") == "a"  # without a margin, the best


def test_one_replay_extended_by_her_newest_attempt_is_the_replay_of_all():
    pool = {"a": trusted("a", 4.0), "b": trusted("b", 4.5)}
    history = [seen("did_it", "about_right", "a"), seen("partly", "too_hard", "b", "opinion")]
    newest = seen("did_it", "too_easy", "a")
    once = d.replay(history, pool, kinds=KINDS, start=4.0)
    extended = d.observe(once, newest, pool["a"])
    assert extended == d.replay([*history, newest], pool, kinds=KINDS, start=4.0)
    assert d.near(extended, 4) == d.profile(
        [*history, newest], pool, kinds=KINDS, start=4.0, step=4
    )


def test_her_start_is_read_against_everyone_s_in_her_pool():
    few = [2.0, 6.0] * 4
    assert d.start_estimate(6.0, few) == 6.0  # too few people to say anything
    # People there differ a lot (sd 2 steps): her own word counts for most of it.
    spread = [1.0, 5.0] * 10
    pulled = d.start_estimate(5.0, spread)
    assert 3.0 < pulled < 5.0 and pulled > 3.0 + 0.8 * 2.0
    # People there hardly differ beyond how far anyone's own estimate is off: a high
    # estimate is mostly that, and she starts near the others (never past them).
    alike = [3.0, 3.4] * 10
    assert 3.2 < d.start_estimate(5.0, alike) < 3.6
    assert d.start_estimate(1.0, alike) < 3.2  # a low one, pulled up
    assert d.start_estimate(3.2, alike) == pytest.approx(3.2)  # the mean stays


@given(st.floats(0, 9), st.lists(st.floats(0, 9), min_size=d.POPULATION_AFTER, max_size=40))
def test_a_start_moves_towards_the_pool_s_mean_and_never_past_it(own, everyone):
    mean = sum(everyone) / len(everyone)
    start = d.start_estimate(own, everyone)
    assert min(own, mean) - 1e-9 <= start <= max(own, mean) + 1e-9

"""The reliable-change threshold of the self-efficacy check."""

from __future__ import annotations

import random

import pytest

from bot.domain import efficacy as e


def test_before_thirty_people_the_stated_defaults_give_about_sixteen_points():
    threshold = e.reliable_change([[50] * 6] * 29)
    assert threshold.from_people == 0
    assert threshold.points == pytest.approx(1.96 * 18 * (2 * 0.1) ** 0.5)
    assert e.within_noise(10, threshold) and not e.within_noise(-20, threshold)


def test_alpha_is_high_when_items_move_together_and_the_threshold_shrinks():
    rng = random.Random(1)
    consistent = []
    for _ in range(40):
        level = rng.uniform(20, 90)
        consistent.append([round(level + rng.gauss(0, 4)) for _ in range(6)])
    assert e.cronbach_alpha(consistent) > 0.95
    noisy = [[rng.randint(0, 100) for _ in range(6)] for _ in range(40)]
    assert e.cronbach_alpha(noisy) < 0.5
    assert e.reliable_change(consistent).points < e.reliable_change(noisy).points
    assert e.reliable_change(consistent).from_people == 40


# -- growth: the mean over checks, and the looking-back item ---------------------------


def test_growth_from_one_check_has_no_change_yet():
    g = e.growth([(0, 40.0)], e.reliable_change([]))
    assert (g.first, g.latest, g.since_first, g.since_last, g.shift) == (40, 40, None, None, None)


def test_growth_changes_since_first_and_last_and_the_noise():
    threshold = e.reliable_change([])  # the stated defaults: about 15.8 points
    g = e.growth([(0, 40.0), (1, 50.0), (2, 60.0)], threshold, looking_back=30)
    assert (g.since_first, g.since_last) == (20.0, 10.0)
    assert e.within_noise(g.since_last, threshold)
    assert not e.within_noise(g.since_first, threshold)
    # She now rates 4 weeks ago (then 50) at 30: her standards moved up.
    assert g.then == 50.0 and g.shift is e.Shift.UP


def test_looking_back_compares_only_with_the_check_4_weeks_before():
    threshold = e.reliable_change([])
    skipped_one = e.growth([(0, 40.0), (2, 45.0)], threshold, looking_back=10)
    assert skipped_one.then is None and skipped_one.shift is None
    close = e.growth([(0, 40.0), (1, 45.0)], threshold, looking_back=35)
    assert close.shift is e.Shift.SAME
    higher = e.growth([(0, 20.0), (1, 45.0)], threshold, looking_back=60)
    assert higher.shift is e.Shift.DOWN

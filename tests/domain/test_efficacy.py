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

"""Pooled challenge difficulties: one statement moves a rating, from a session or a bare
transaction, and two pools never mix."""

from __future__ import annotations

import pytest

from bot.domain.difficulty import Rating
from bot.storage import ratings


def test_a_first_attempt_starts_a_rating_and_later_ones_move_and_count_it(db):
    with db.session() as s:
        ratings.add_to_rating(
            s, pool="T1", challenge_id="c1", prior=3.0, change=-0.5, information=0.25
        )
    with db.transaction() as t:
        ratings.add_to_rating(
            t, pool="T1", challenge_id="c1", prior=3.0, change=0.125, information=0.5
        )
        ratings.add_to_rating(
            t, pool="*", challenge_id="c1", prior=3.0, change=1.0, information=1.0
        )
    with db.reading() as r:
        mine, everywhere = ratings.ratings(r, pool="T1"), ratings.ratings(r, pool="*")
    assert mine == {"c1": Rating("c1", pytest.approx(2.625), 2, pytest.approx(0.75))}
    assert everywhere == {"c1": Rating("c1", 4.0, 1, 1.0)}
    with db.reading() as r:
        assert ratings.ratings(r, pool="T2") == {}

"""Turns per DM: one post on the wire at a time per DM, the next a second after the last
came back; other DMs never wait."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.pacing import PER_DM_SECONDS, DmTurns

MILA, OMAR = ("T1", "U1"), ("T1", "U2")


def test_a_second_post_to_her_dm_waits_for_the_first_and_a_second_after_it():
    turns = DmTurns()
    assert turns.take(MILA, 10.0) == 0
    assert turns.take(MILA, 10.0) == PER_DM_SECONDS  # the first is on the wire: ask again
    assert turns.take(OMAR, 10.0) == 0  # someone else's DM does not wait
    turns.give_back(MILA, 10.3, sent=True)
    assert turns.take(MILA, 10.5) == pytest.approx(0.8)  # a second after it came back
    assert turns.take(MILA, 11.3) == 0


def test_a_turn_given_back_without_a_post_leaves_her_dm_free_at_once():
    turns = DmTurns()
    assert turns.take(MILA, 5.0) == 0
    turns.give_back(MILA, 5.1, sent=False)  # e.g. the lease was lost: nothing posted
    assert turns.take(MILA, 5.1) == 0


def test_dms_whose_gap_is_over_are_forgotten():
    turns = DmTurns()
    for n in range(5000):
        dm = ("T1", f"U{n}")
        assert turns.take(dm, float(n)) == 0
        turns.give_back(dm, float(n), sent=True)
    assert len(turns._free_at) <= 4097
    assert turns.take(("T1", "U4999"), 4999.5) > 0  # the recent ones are still known


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(0, 3), st.floats(0, 2)),
        max_size=40,
    )
)
def test_posts_to_one_dm_never_overlap_and_are_a_gap_apart(requests):
    """Senders asking at increasing times, each posting for ``took`` seconds once it
    has its turn: per DM, each post starts a full gap after the one before ended."""
    turns = DmTurns()
    now = 0.0
    ended: dict[str, float] = {}
    for dm, later, took in requests:
        now += later
        for _ in range(3):  # free after the wait it was told (give or take rounding)
            if (wait := turns.take(dm, now)) == 0:
                break
            now += wait
        else:
            raise AssertionError("still not its turn")
        assert now >= ended.get(dm, -1e9) + PER_DM_SECONDS - 1e-9
        now += took
        turns.give_back(dm, now, sent=True)
        ended[dm] = now

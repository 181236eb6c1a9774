"""The pre-meeting check-in, and its redrawing after each answer, are rendered from
templates; they must be exactly what the Block Kit models build for the same meeting,
whatever its name and her plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.content import load_ladder
from bot.domain.plans import suggested_plan
from bot.services.checkins import CheckinState
from bot.services.coaching import ChallengeCard
from bot.services.dispatch import CheckinMessage
from bot.slack.blocks.checkins import (
    _done,
    _pre_blocks,
    _pre_state_blocks,
    build_checkin_state,
    build_pre_checkin,
)
from bot.slack.blocks.text import escape

LADDER = load_ladder()
CARDS = [
    ChallengeCard(c.step, LADDER.step(c.step).name, LADDER.top, c)
    for step in range(1, LADDER.top + 1)
    for c in [LADDER.first_challenge(step)]
]


@given(
    name=st.text(min_size=1, max_size=150),
    checkin_id=st.integers(min_value=1, max_value=2**31),
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
    card=st.sampled_from(CARDS),
    nerves=st.booleans(),
)
def test_the_template_gives_what_the_models_build(name, checkin_id, minutes, card, nerves):
    start = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(minutes=minutes)
    message = CheckinMessage(
        checkin_id,
        "pre",
        "T1",
        "U1",
        name,
        start,
        start,
        card,
        start + timedelta(hours=1),
        nerves=nerves,  # with and without the "Settle your nerves" offer
    )
    expected = _done(
        _pre_blocks(card, escape(name), f"{start:%H:%M}", str(checkin_id), None, nerves=nerves),
        f"{escape(name)} starts at {start:%H:%M}",
    )
    assert build_pre_checkin(message) == expected


@given(
    name=st.text(min_size=1, max_size=150),
    plan=st.none() | st.text(min_size=1, max_size=200),
    confidence=st.none() | st.integers(min_value=0, max_value=100),
    checkin_id=st.integers(min_value=1, max_value=2**31),
    card=st.sampled_from(CARDS),
    nerves=st.booleans(),
)
def test_the_answered_check_in_template_gives_what_the_models_build(
    name, plan, confidence, checkin_id, card, nerves
):
    """Redrawn after every answer (confidence, a swap, a plan): from a template too."""
    state = CheckinState(
        checkin_id=checkin_id,
        kind="pre",
        meeting_name=name,
        card=card,
        confidence=confidence,
        plan=plan,
        suggested_plan=suggested_plan(card.challenge),
        nerves=nerves,
    )
    expected = _done(
        _pre_state_blocks(state, escape(name), str(checkin_id), plan),
        f"{escape(name)}: {card.challenge.do}",
    )
    assert build_checkin_state(state) == expected

"""The Home tab's dashboard keeps the blocks of today's challenge built once per
challenge; it must be exactly what the Block Kit models build, whatever her data."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.views import View

from bot.content import load_ladder
from bot.domain.progress import WeekConfidence
from bot.services.coaching import ChallengeCard
from bot.services.progress import Progress
from bot.slack.blocks.home import build_home_dashboard, dashboard_blocks

LADDER = load_ladder()
CARDS = [
    ChallengeCard(step.number, step.name, LADDER.top, challenge)
    for step in (LADDER.step(n) for n in range(1, LADDER.top + 1))
    for challenge in step.challenges
]
CONFIDENCE = st.none() | st.floats(min_value=0, max_value=100)


@st.composite
def progresses(draw) -> Progress:
    card = draw(st.sampled_from(CARDS))
    start = draw(st.integers(min_value=1, max_value=card.step))
    weeks = [
        WeekConfidence(date(2026, 1, 5) + timedelta(weeks=n), draw(CONFIDENCE), draw(CONFIDENCE), 1)
        for n in range(8)
    ]
    return Progress(
        goal=draw(st.text(max_size=200)),
        start_step=start,
        start_step_name=LADDER.step(start).name,
        step=card.step,
        step_name=card.step_name,
        top=LADDER.top,
        challenge=card.challenge,
        wins=draw(st.integers(min_value=0, max_value=500)),
        practised=draw(st.integers(min_value=0, max_value=500)),
        streak=draw(st.integers(min_value=0, max_value=100)),
        weeks=weeks,
        paused_until=None,
    )


@given(progress=progresses(), card=st.sampled_from(CARDS))
def test_the_dashboard_is_what_the_models_build(progress, card):
    expected = View(type="home", blocks=dashboard_blocks(progress, card)).to_dict()
    assert build_home_dashboard(progress, card) == expected


@given(progress=progresses())
def test_changing_one_dashboard_leaves_the_next_alone(progress):
    first = build_home_dashboard(progress, progress.card)
    first["blocks"][-1]["elements"][0]["text"] = "changed"
    assert build_home_dashboard(progress, progress.card)["blocks"][-1] != first["blocks"][-1]

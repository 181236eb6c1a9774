"""The log form says which step it was opened at, and nothing else is read as one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.content import load_ladder
from bot.services.coaching import ChallengeCard
from bot.slack.blocks.log import build_log_modal, shown_step

LADDER = load_ladder()


def test_each_form_says_the_step_it_was_opened_at():
    for step in LADDER.steps:
        card = ChallengeCard(step.number, step.name, LADDER.top, step.challenges[0])
        assert shown_step(LADDER, build_log_modal(LADDER, card)) == step.number


def test_what_isnt_a_step_of_the_ladder_is_none():
    for metadata in (None, "", "0", str(LADDER.top + 1), "-1", " 2", "2.0", "²", "٣", "9" * 3000):
        assert shown_step(LADDER, {"private_metadata": metadata}) is None, metadata
    assert shown_step(LADDER, {}) is None


@given(st.text(max_size=40) | st.from_regex(r"\A0*[0-9]{1,3}\Z"))
def test_any_text_is_a_step_or_none(metadata):
    shown = shown_step(LADDER, {"private_metadata": metadata})
    assert shown is None or (
        1 <= shown <= LADDER.top and metadata.isascii() and int(metadata) == shown
    )

"""The App Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack import ids


def build_home_welcome() -> dict:
    """For someone who hasn't started: what this is, and one button to begin."""
    view = View(
        type="home",
        blocks=[
            HeaderBlock(text="Find your voice, one small win at a time"),
            SectionBlock(
                text=(
                    "Got ideas but tend to stay quiet in meetings? Voice Coach gives you a "
                    "small, doable speaking challenge for the meetings you pick, checks in "
                    "briefly before and after, and turns up the dial as your wins add up."
                )
            ),
            SectionBlock(
                text=(
                    "*How it works*\n"
                    "1. Tell me your goal and where you are today (two minutes).\n"
                    "2. Pick the meetings you want to practise in.\n"
                    "3. Get a quick nudge before each one, and a one-tap check-in after."
                )
            ),
            ActionsBlock(
                block_id="home_start",
                elements=[
                    ButtonElement(text="Get started", action_id=ids.GET_STARTED, style="primary")
                ],
            ),
            DividerBlock(),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Your answers are private to you. Nothing is shared with your "
                        "team unless you choose to share a win. `/voice help` lists every "
                        "command."
                    )
                ]
            ),
        ],
    )
    return view.to_dict()

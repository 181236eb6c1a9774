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

from bot.services.progress import Progress
from bot.slack import ids
from bot.slack.blocks.challenge import challenge_blocks, challenge_buttons
from bot.slack.blocks.progress import chart_button, summary_blocks
from bot.slack.blocks.text import escape


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


def build_home_dashboard(progress: Progress, card) -> dict:
    """Her dashboard: goal, today's challenge, where she is, and how it's going."""
    blocks = [
        HeaderBlock(text="Your voice, one step at a time"),
        SectionBlock(text=f"*Your goal:* {escape(progress.goal)}"),
        *summary_blocks(progress),
        DividerBlock(),
        SectionBlock(text="*Today's challenge*"),
        *challenge_blocks(card, with_step=False),
        challenge_buttons(card, where=ids.FROM_HOME),
        DividerBlock(),
        ActionsBlock(
            block_id="home_actions",
            elements=[
                ButtonElement(text="Log a meeting", action_id=ids.OPEN_LOG, value="home"),
                chart_button(),
                ButtonElement(text="Settings", action_id=ids.OPEN_SETTINGS, value="home"),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only you can see this. `/voice start` edits your goal; "
                    "`/voice help` lists every command."
                )
            ]
        ),
    ]
    return View(type="home", blocks=blocks).to_dict()

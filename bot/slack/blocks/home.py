"""The App Home tab."""

from __future__ import annotations

import functools
import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
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
    """Her dashboard: goal, today's challenge, where she is, and how it's going.

    Published at every Home tab open: the blocks that follow from today's challenge
    alone are built once per challenge (``_challenge_part``); the rest, hers, each time.
    Equal to ``View(type="home", blocks=dashboard_blocks(...)).to_dict()`` (tested)."""
    mine = [b.to_dict() for b in _her_blocks(progress)]
    return {"type": "home", "blocks": [*mine, *json.loads(_challenge_part(card))]}


def dashboard_blocks(progress: Progress, card) -> list[Block]:
    return [*_her_blocks(progress), *_challenge_blocks(card)]


def _her_blocks(progress: Progress) -> list[Block]:
    return [
        HeaderBlock(text="Your voice, one step at a time"),
        SectionBlock(text=f"*Your goal:* {escape(progress.goal)}"),
        *summary_blocks(progress),
    ]


@functools.lru_cache(maxsize=256)
def _challenge_part(card) -> str:
    # Kept as JSON, loaded per call: a caller may change what it is given.
    return json.dumps([b.to_dict() for b in _challenge_blocks(card)])


def _challenge_blocks(card) -> list[Block]:
    return [
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

"""Coping stories: one beside her pre-meeting check-in, and sharing a win anonymously.

The "why" in the copy is the evidence: a coping model (nervous, struggled, did it)
teaches more than a polished one (Schunk, Hanson & Cox 1987), and someone like you
more than an expert (Bandura 1997). So the copy says "someone at your step", never
"an expert".
"""

from __future__ import annotations

import functools

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.stories import K_ANONYMITY, Phrase, Story
from bot.slack import ids
from bot.slack.blocks.text import escape

STORY_WHY = (
    "Why a story? Seeing someone like you be nervous and do it anyway builds belief more "
    "than a polished example does. One a week at most; turn them off in `/voice settings`."
)


def build_with_story(message: dict, story: Story) -> dict:
    """A check-in message with this week's story below it (no extra notification)."""
    return {**message, "blocks": [*message.get("blocks", []), *_story_blocks(story)]}


@functools.lru_cache(maxsize=1024)
def _story_blocks(story: Story) -> tuple[dict, ...]:
    # Built once per story: on a Monday at :45 thousands of check-ins carry one of a few
    # dozen. The dicts are shared between messages, which only serialise them.
    who = (
        "A colleague at your step (shared anonymously)"
        if story.source == "colleague"
        else "Someone at your step"
    )
    blocks: list[Block] = [
        SectionBlock(
            block_id="coping_story",
            text=f":speech_balloon: *{who}*\n>{escape(story.text)}",
        ),
        ContextBlock(block_id="coping_story_why", elements=[MarkdownTextObject(text=STORY_WHY)]),
    ]
    return tuple(b.to_dict() for b in blocks)


def story_offer_blocks(celebration_id: int) -> list[Block]:
    """Blocks for her win's DM: share it anonymously with colleagues at her step."""
    value = str(celebration_id)
    blocks: list[Block] = [
        ActionsBlock(
            block_id=f"story_{value}",
            elements=[
                ButtonElement(
                    text="Share anonymously with people at my step",
                    action_id=ids.STORY_SHARE,
                    value=value,
                )
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="As a short story without your name, meeting or date: it could "
                    "help someone who is as nervous as you were."
                )
            ]
        ),
    ]
    return blocks


def build_story_share_modal(celebration_id: int, challenge_do: str, phrases: tuple[Phrase, ...]):
    """What the anonymous story would say, and one optional phrase on what helped."""
    options = [Option(value=p.id, text=p.text) for p in phrases]
    view = View(
        type="modal",
        callback_id=ids.STORY_SHARE_VIEW,
        private_metadata=str(celebration_id),
        title="Share anonymously",
        submit="Share",
        close="Cancel",
        blocks=[
            SectionBlock(
                text="Colleagues at your step will read a short story: that someone was "
                f"nervous about “{escape(challenge_do)}” and did it, and what helped if you "
                "pick it below."
            ),
            InputBlock(
                block_id=ids.STORY_PHRASE,
                label="What helped? (optional)",
                optional=True,
                element=RadioButtonsElement(action_id=ids.STORY_PHRASE, options=options),
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Never your name, the meeting, your confidence or the date, and "
                        "never in your team channel. Stories from colleagues appear only once "
                        f"at least {K_ANONYMITY} people at a step have shared, so nobody can "
                        "tell which one is yours. `/voice forget-me` deletes it."
                    )
                ]
            ),
        ],
    )
    return view.to_dict()


def build_story_shared() -> dict:
    """The modal after she shared: thanks, and what happens next."""
    view = View(
        type="modal",
        title="Shared anonymously",
        close="Done",
        blocks=[
            SectionBlock(
                text=":seedling: Thank you. Your story may help someone at your step take "
                "their own first go."
            )
        ],
    )
    return view.to_dict()

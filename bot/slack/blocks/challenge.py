"""Today's challenge, the first-challenge DM, and the answer to an offer."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.placement import SELF_PLACEMENT_LABELS
from bot.services.coaching import ChallengeCard, Started
from bot.slack import ids
from bot.slack.blocks.common import ladder_bar


def challenge_blocks(card: ChallengeCard, *, with_step: bool = True) -> list[Block]:
    c = card.challenge
    step = f"*Step {card.step} of {card.top}: {card.step_name}*  {ladder_bar(card.step, card.top)}"
    return [
        SectionBlock(text=f"{step}\n:dart: *{c.do}*" if with_step else f":dart: *{c.do}*"),
        SectionBlock(text=f":bulb: *Tip:* {c.tip}"),
        ContextBlock(elements=[MarkdownTextObject(text=f"Why it helps: {c.why}")]),
    ]


def challenge_buttons(card: ChallengeCard, *, where: str) -> ActionsBlock:
    buttons = [ButtonElement(text="Swap it", action_id=ids.CHALLENGE_SWAP, value=where)]
    if card.step > 1:
        buttons.append(
            ButtonElement(text="Smaller step", action_id=ids.CHALLENGE_EASIER, value=where)
        )
    if card.step < card.top:
        buttons.append(
            ButtonElement(text="Bigger step", action_id=ids.CHALLENGE_HARDER, value=where)
        )
    return ActionsBlock(block_id=f"challenge_{where}", elements=buttons)


def build_challenge_message(card: ChallengeCard, note: str | None = None) -> dict:
    """The /voice challenge reply (ephemeral), updated in place by its buttons."""
    blocks: list[Block] = [SectionBlock(text=note)] if note else []
    blocks += [*challenge_blocks(card), challenge_buttons(card, where=ids.FROM_MESSAGE)]
    return {
        "text": f"Your challenge: {card.challenge.do}",
        "blocks": [b.to_dict() for b in blocks],
    }


def build_first_challenge_dm(started: Started) -> dict:
    card = started.card
    placement = SELF_PLACEMENT_LABELS[started.answers.placement].lower()
    if started.first_time:
        intro = (
            f"Welcome aboard. You said _{placement}_, so let's start with a small win: "
            f"step {card.step} of {card.top}, *{card.step_name}*. It's a step you can very "
            "probably do, and each success makes the next one easier."
        )
    else:
        intro = "Got it, your answers are updated. Your current challenge stays as it was:"
    blocks = [
        SectionBlock(text=intro),
        *challenge_blocks(card),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Next: `/voice meetings` to pick meetings to practise in, "
                    "`/voice log` after one that wasn't on your list, "
                    "`/voice challenge` to swap this one."
                )
            ]
        ),
    ]
    return {
        "text": f"Your first challenge: {card.challenge.do}",
        "blocks": [b.to_dict() for b in blocks],
    }


def build_offer_answered(card: ChallengeCard, *, accepted: bool, moved_up: bool) -> dict:
    """The offer DM, replaced in place once she has answered it."""
    if accepted:
        line = (
            "Dial turned up. Here's your new challenge:"
            if moved_up
            else "A smaller step it is. That's how confidence is built. Here's your challenge:"
        )
    else:
        line = "Staying put is a fine choice. Keep going with:"
    blocks = [SectionBlock(text=line), *challenge_blocks(card)]
    return {"text": f"{line} {card.challenge.do}", "blocks": [b.to_dict() for b in blocks]}

"""The /voice log modal, and the DM that answers a logged attempt."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.attempts import FELT_LABELS, OUTCOME_LABELS, Outcome
from bot.domain.ladder import Ladder
from bot.domain.progression import Move, Reason
from bot.services.coaching import ChallengeCard, Offer, Recorded
from bot.slack import ids
from bot.slack.blocks.challenge import challenge_blocks
from bot.slack.blocks.common import after_meeting_inputs, confidence_options
from bot.slack.forms import MAX_MEETING_NAME


def _short(text: str, limit: int = 75) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def loggable_steps(ladder: Ladder, step: int) -> list[int]:
    """She logs what she tried: her step, or one around it."""
    return [n for n in (step - 1, step, step + 1) if 1 <= n <= ladder.top]


def shown_step(ladder: Ladder, view: dict) -> int | None:
    """The step the submitted form was opened at (its private_metadata), so its choices
    are checked against what it offered her without reading her row; None for a form
    that doesn't say (opened before it did)."""
    shown = str(view.get("private_metadata") or "")
    if not (shown.isascii() and shown.isdigit()) or not 1 <= int(shown) <= ladder.top:
        return None
    return int(shown)


def build_log_modal(ladder: Ladder, card: ChallengeCard) -> dict:
    groups, current = [], None
    for number in loggable_steps(ladder, card.step):
        step = ladder.step(number)
        options = [Option(value=c.id, text=_short(c.do)) for c in step.challenges]
        groups.append(OptionGroup(label=_short(f"Step {number}: {step.name}"), options=options))
        if number == card.step:
            current = next(o for o in options if o.value == card.challenge.id)
    outcomes = [
        Option(value=o.value, text=label)
        for o, label in OUTCOME_LABELS.items()
        if o is not Outcome.DID_NOT_HAPPEN
    ]
    felt = [Option(value=f.value, text=label) for f, label in FELT_LABELS.items()]
    view = View(
        type="modal",
        callback_id=ids.LOG_VIEW,
        title="Log a meeting",
        private_metadata=str(card.step),  # shown_step
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(
                text="Spoke up (or tried to) in a meeting that wasn't on your list? "
                "It counts just the same."
            ),
            InputBlock(
                block_id=ids.MEETING_NAME,
                label="Which meeting?",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.MEETING_NAME,
                    max_length=MAX_MEETING_NAME,
                    placeholder="e.g. Design review",
                ),
            ),
            InputBlock(
                block_id=ids.TRIED,
                label="What did you try?",
                element=StaticSelectElement(
                    action_id=ids.TRIED, option_groups=groups, initial_option=current
                ),
            ),
            InputBlock(
                block_id=ids.OUTCOME,
                label="How did it go?",
                element=RadioButtonsElement(action_id=ids.OUTCOME, options=outcomes),
            ),
            InputBlock(
                block_id=ids.FELT,
                label="How did it feel?",
                element=RadioButtonsElement(action_id=ids.FELT, options=felt),
            ),
            InputBlock(
                block_id=ids.CONFIDENCE_BEFORE,
                label="How confident were you before?",
                optional=True,
                element=StaticSelectElement(
                    action_id=ids.CONFIDENCE_BEFORE,
                    placeholder="0–100",
                    options=confidence_options(),
                ),
            ),
            *after_meeting_inputs(),
        ],
    )
    return view.to_dict()


_REACTIONS = {
    Outcome.DID_IT: "That's a win, and it counts. Every one makes the next easier. :tada:",
    Outcome.PARTLY: "Partly is progress: you got started, and that's the hardest bit.",
    Outcome.NOT_THIS_TIME: (
        "Thanks for logging it. A miss is information, not failure: it tells us "
        "where the next step should be."
    ),
}

_OFFER_LINES = {
    Reason.FELT_EASY: "That felt easy, so you're ready for more.",
    Reason.MASTERED: "Your wins on this step add up: you've got it.",
    Reason.TOO_HARD: "That sounded like a big stretch. A smaller step builds the same muscle.",
    Reason.REPEATED_MISSES: (
        "A few tries haven't landed yet. That's normal, and a smaller step "
        "usually gets things moving again."
    ),
}


def offer_blocks(offer: Offer) -> list[Block]:
    up = offer.move is Move.UP
    question = (
        f"*Turn up the dial?* Step {offer.card.step}: *{offer.card.step_name}*"
        if up
        else f"*Try a smaller step?* Step {offer.card.step}: *{offer.card.step_name}*"
    )
    value = str(offer.card.step)
    return [
        SectionBlock(text=f"{_OFFER_LINES[offer.reason]}\n{question}"),
        SectionBlock(text=f":dart: {offer.card.challenge.do}"),
        ActionsBlock(
            block_id="offer",
            elements=[
                ButtonElement(
                    text="Take the next step" if up else "Try the smaller step",
                    action_id=ids.OFFER_ACCEPT,
                    value=value,
                    style="primary",
                ),
                ButtonElement(text="Stay where I am", action_id=ids.OFFER_STAY, value=value),
            ],
        ),
    ]


def build_logged_dm(recorded: Recorded) -> dict:
    blocks: list[Block] = [SectionBlock(text=_REACTIONS[recorded.outcome])]
    if recorded.offer is not None:
        blocks += offer_blocks(recorded.offer)
    else:
        blocks += [
            ContextBlock(elements=[MarkdownTextObject(text="Your challenge for next time:")]),
            *challenge_blocks(recorded.next_card),
        ]
    return {"text": _REACTIONS[recorded.outcome], "blocks": [b.to_dict() for b in blocks]}

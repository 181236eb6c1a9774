"""Settle your nerves: the offer in her pre-meeting DM, the exercise modal, its answer.

The copy offers and never pushes (an app trial found a sham exercise helped about as
much as slow breathing, Balban et al. 2023): "if you'd like", no reminder, nothing
promised about how the meeting will go (Brooks 2014's excitement effect on performance
did not replicate in 2025). Each exercise's "why" comes from bot/content/exercises.yml.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
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

from bot.domain.nerves import HELPED_LABELS, Exercise, Helped, Why, short_name
from bot.slack import ids
from bot.slack.blocks.text import escape

TITLE = "Settle your nerves"  # the button and the modal's title (Slack: 24 at most)

OFFER = ":leaves: Nerves before a meeting are normal. If you'd like, take a minute to settle."

# Why this exercise today, in a few words (bot.domain.nerves.pick_exercise decides).
WHY_THIS_ONE = {
    Why.NEW: "A new one to try. Say below if it helped, and I'll offer what suits you.",
    Why.HELPED: "You said this one helped, so here it is again.",
    Why.TURN: "Taking turns, so you can find what suits you.",
}

DONE_REPLIES = {
    Helped.YES: "Glad it helped. I'll offer it more often.",
    Helped.A_LITTLE: "A little counts. Noted, for what to offer you next time.",
    Helped.NOT_REALLY: "Thanks for saying. Another one will get a turn next time.",
    None: "Done. Go well in your meeting.",
}

UNAVAILABLE = {
    "off": "You've turned “Settle your nerves” off. Turn it back on any time in `/voice settings`.",
    "paused": "You're on a break, so nothing is needed from you now. `/voice resume` "
    "whenever you're ready.",
    "slow": "That took a moment too long to open. Tap *Settle your nerves* again, if you'd like.",
    "unknown": "This check-in isn't available any more.",
}


def nerves_offer_blocks(value: str) -> list[Block]:
    """The button in her pre-meeting DM (only while her setting is on)."""
    return [
        SectionBlock(
            block_id=f"nerves_{value}",
            text=OFFER,
            accessory=ButtonElement(text=TITLE, action_id=ids.NERVES_OPEN, value=value),
        )
    ]


def build_nerves_modal(exercise: Exercise, why: Why, *, name: str | None, checkin_id: int) -> dict:
    """The exercise, her name in it where it talks to her, and "Did it help?"."""
    name = short_name(name)  # cut before escaping: never inside an &amp;
    steps = exercise.steps_for(escape(name) if name else None)
    numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))
    helped = [Option(value=h.value, text=label) for h, label in HELPED_LABELS.items()]
    view = View(
        type="modal",
        callback_id=ids.NERVES_VIEW,
        private_metadata=f"{checkin_id}:{exercise.id}",
        title=TITLE,
        submit="Done",
        close="Not now",
        blocks=[
            SectionBlock(text=f"*{exercise.title}*  ·  about {exercise.seconds} seconds"),
            SectionBlock(text=numbered),
            ContextBlock(elements=[MarkdownTextObject(text=f"*Why:* {exercise.why}")]),
            InputBlock(
                block_id=ids.NERVES_HELPED,
                label="Did it help?",
                optional=True,
                element=RadioButtonsElement(action_id=ids.NERVES_HELPED, options=helped),
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"{WHY_THIS_ONE[why]} Only you see your answer. "
                        "`/voice settings` turns this offer off."
                    )
                ]
            ),
        ],
    )
    return view.to_dict()


def build_nerves_done(helped: Helped | None) -> dict:
    """The modal after "Done": thanks, and what her answer changes."""
    view = View(
        type="modal",
        title=TITLE,
        close="Close",
        blocks=[SectionBlock(text=f":leaves: {DONE_REPLIES[helped]}")],
    )
    return view.to_dict()


def build_nerves_unavailable(why: str) -> dict:
    """A friendly line, just for her, when the exercise can't open."""
    line = UNAVAILABLE.get(why, UNAVAILABLE["unknown"])
    return {"text": line, "blocks": [SectionBlock(text=line).to_dict()]}

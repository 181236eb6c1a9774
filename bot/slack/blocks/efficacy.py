"""The self-efficacy check: its offer DM (and that DM once answered or skipped), the
modal with six 0-100 menus and the looking-back one, and how her growth reads."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.efficacy import Growth, Shift, within_noise
from bot.services.efficacy import CheckForm, CheckOffer
from bot.slack import ids
from bot.slack.blocks.common import confidence_options
from bot.slack.forms import efficacy_block

PRIVATE = "Only you see your answers."


def _message(blocks, text: str) -> dict:
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def build_check_offer(offer: CheckOffer) -> dict:
    """One DM per round, with a skip; there is never a reminder."""
    if offer.round == 0:
        text = "Six quick questions, if you have 2 minutes"
        body = (
            "*One more thing, if you have 2 minutes:* six questions on how sure you are that "
            "you can speak up in meetings. I'll ask again every 4 weeks, so you can see your "
            "growth in numbers, not only in how it feels."
        )
    else:
        text = "4 weeks on: how sure are you now?"
        body = (
            "*4 weeks on: how sure are you now?* The same six questions, and one about how "
            "you see 4 weeks ago. About 2 minutes."
        )
    value = str(offer.check_id)
    return _message(
        [
            SectionBlock(text=body),
            ActionsBlock(
                block_id="efficacy_offer",
                elements=[
                    ButtonElement(
                        text="Answer the questions",
                        action_id=ids.EFFICACY_OPEN,
                        value=value,
                        style="primary",
                    ),
                    ButtonElement(text="Skip", action_id=ids.EFFICACY_SKIP, value=value),
                ],
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"{PRIVATE} Skipping is fine: I won't remind you; the next "
                        "check comes in 4 weeks."
                    )
                ]
            ),
        ],
        text,
    )


def build_check_done(*, answered: bool) -> dict:
    """The offer DM, updated in place: nothing left to click."""
    line = (
        "Thanks, your answers are in. `/voice progress` shows your average and, from the "
        "next check, how it moves."
        if answered
        else "Skipped, no problem. The next check comes in 4 weeks."
    )
    return _message([SectionBlock(text=line)], line)


def build_check_modal(form: CheckForm) -> dict:
    scale = form.scale
    blocks = [
        SectionBlock(
            text=f"*{scale.stem}*\nFor each, pick 0 to 100: 0 is cannot do at all, 50 "
            "moderately can do, 100 highly certain can do. Answer for today, as you are; "
            "there are no right answers."
        ),
        *(
            InputBlock(
                block_id=efficacy_block(n),
                label=f"…{item.text}",
                element=StaticSelectElement(
                    action_id=efficacy_block(n), placeholder="0–100", options=confidence_options()
                ),
            )
            for n, item in enumerate(scale.items, start=1)
        ),
    ]
    if form.looking_back:
        blocks += [
            DividerBlock(),
            InputBlock(
                block_id=ids.LOOKING_BACK,
                label=scale.looking_back,
                hint="Your honest view now, whatever you said then.",
                element=StaticSelectElement(
                    action_id=ids.LOOKING_BACK, placeholder="0–100", options=confidence_options()
                ),
            ),
        ]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=PRIVATE)]))
    view = View(
        type="modal",
        callback_id=ids.EFFICACY_VIEW,
        private_metadata=str(form.check_id),
        title="How sure are you?",
        submit="Save",
        close="Not now",
        blocks=blocks,
    )
    return view.to_dict()


def _change(change: float, growth: Growth, since: str) -> str:
    points = round(abs(change))
    if points == 0:
        return f"no change since {since}"
    moved = f"{'up' if change > 0 else 'down'} {points} since {since}"
    return f"{moved} (within the noise)" if within_noise(change, growth.threshold) else moved


def growth_text(growth: Growth) -> str:
    """Her check's mean, its change next to the scale's noise, and the looking-back line."""
    lines = [f"*How sure you are you can speak up* (6 questions): *{round(growth.latest)}*/100"]
    changes = []
    if growth.since_first is not None:
        changes.append(_change(growth.since_first, growth, "your first check"))
    if growth.since_last is not None and growth.checks > 2:
        changes.append(_change(growth.since_last, growth, "the last one"))
    if changes:
        said = ", ".join(changes)
        lines.append(said[0].upper() + said[1:] + ".")
        source = (
            f"from {growth.threshold.from_people} people's answers here"
            if growth.threshold.from_people
            else "a typical figure until 30 people here have answered"
        )
        lines.append(
            f"_Changes under {round(growth.threshold.points)} points are within the noise: "
            f"answers move that much by chance ({source})._"
        )
    else:
        lines.append("_Your next check, in 4 weeks, shows how it moves._")
    shift = growth.shift
    if shift is not None:
        now, then = growth.looking_back, round(growth.then)
        lines.append(
            {
                Shift.UP: f"Looking back, you now rate 4 weeks ago at {now}; then you said "
                f"{then}. Your standards moved up, so your growth may be bigger than the "
                "numbers show.",
                Shift.DOWN: f"Looking back, you now rate 4 weeks ago at {now}; then you said "
                f"{then}. You see your past self more kindly now; worth keeping in mind.",
                Shift.SAME: f"Looking back, you rate 4 weeks ago at {now}, close to the "
                f"{then} you said then: the same yardstick, so the change is fair.",
            }[shift]
        )
    return "\n".join(lines)

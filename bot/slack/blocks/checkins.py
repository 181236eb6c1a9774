"""Check-in DMs before and after a meeting, their answered states, the details modal."""

from __future__ import annotations

import functools
import json
from dataclasses import replace

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.attempts import FELT_LABELS, OUTCOME_LABELS, Outcome
from bot.domain.plans import FIRED_LABELS, MAX_OWN_PLAN, PlanFired, suggested_plan
from bot.services.checkins import CheckinState
from bot.services.dispatch import CheckinMessage
from bot.slack import ids
from bot.slack.blocks.common import after_meeting_inputs, confidence_options, option_for
from bot.slack.blocks.nerves import nerves_offer_blocks
from bot.slack.blocks.text import escape

# Why a plan, in a line (Gollwitzer & Sheeran 2006: 94 studies, d = 0.65).
PLAN_WHY = (
    "Why a plan: deciding the moment and the words ahead of time makes doing it much "
    "more likely (94 studies agree). It's yours alone."
)


def _done(blocks: list[Block], text: str) -> dict:
    return {"text": text, "blocks": [b.to_dict() for b in blocks]}


def build_pre_checkin(message: CheckinMessage, *, confidence: int | None = None) -> dict:
    name, start, value = (
        escape(message.meeting_name),
        f"{message.start_local:%H:%M}",
        str(message.checkin_id),
    )
    text = f"{name} starts at {start}"  # the notification: mrkdwn too
    if confidence is not None or _MARK in name:
        blocks = _pre_blocks(message.card, name, start, value, confidence, nerves=message.nerves)
        return _done(blocks, text)
    # Thousands go out at :45: the blocks are rendered once per challenge (and with or
    # without the settle-your-nerves offer), with markers where the meeting, its time
    # and the check-in go, then filled in.
    template = _pre_template(message.card, message.nerves)
    return {"text": text, "blocks": _filled(template, {_NAME: name, _START: start, _VALUE: value})}


# Markers (a private-use character: a name holding it takes the slow path).
_MARK = "\uf8f0"
_NAME, _START, _VALUE = f"{_MARK}name{_MARK}", f"{_MARK}start{_MARK}", f"{_MARK}id{_MARK}"


def _filled(template: str, values: dict[str, str]) -> list:
    """A template's blocks with each marker replaced by its text (escaped for JSON)."""
    for marker, text in values.items():
        template = template.replace(marker, json.dumps(text)[1:-1])
    return json.loads(template)


@functools.lru_cache(maxsize=1024)
def _pre_template(card, nerves: bool) -> str:
    blocks = _pre_blocks(card, _NAME, _START, _VALUE, None, nerves=nerves)
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def _confidence_menu(value: str, confidence: int | None) -> SectionBlock:
    # `Option.text` is what Block Kit shows; `.label` is the legacy dialog field (None here).
    menu = [Option(value=f"{value}:{o.value}", text=o.text) for o in confidence_options()]
    return SectionBlock(
        block_id=f"pre_confidence_{value}",
        text="How confident are you that you'll do it?",
        accessory=StaticSelectElement(
            action_id=ids.CHECKIN_CONFIDENCE,
            placeholder="0–100",
            options=menu,
            # Slack wants the very option (same text and value) as the initial one.
            initial_option=option_for(menu, f"{value}:{confidence}"),
        ),
    )


def _plan_blocks(
    value: str, suggestion: str | None, plan: str | None, *, escaped: bool = False
) -> list[Block]:
    """Her plan, if she fixed one (with a way to change it), or today's suggestion with
    one tap to accept it and a way to write her own."""
    if plan is not None:
        return [
            SectionBlock(
                block_id=f"plan_{value}",
                text=f":memo: *Your plan:* “{plan if escaped else escape(plan)}”",
                accessory=ButtonElement(text="Change it", action_id=ids.PLAN_WRITE, value=value),
            )
        ]
    if suggestion is None:
        return []
    return [
        SectionBlock(text=f":memo: *A plan for today?* “{suggestion}”"),
        ActionsBlock(
            block_id=f"plan_{value}",
            elements=[
                ButtonElement(
                    text="Use this plan", action_id=ids.PLAN_ACCEPT, value=value, style="primary"
                ),
                ButtonElement(text="Write my own", action_id=ids.PLAN_WRITE, value=value),
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text=PLAN_WHY)]),
    ]


def _pre_blocks(
    card, name: str, start: str, value: str, confidence: int | None, *, nerves: bool = False
) -> list[Block]:
    """``nerves``: her setting for the "Settle your nerves" offer (bot.domain.nerves)."""
    return [
        SectionBlock(
            text=f"*{name}* starts at {start}. Today's challenge:\n:dart: *{card.challenge.do}*"
        ),
        SectionBlock(text=f":bulb: *Tip:* {card.challenge.tip}"),
        _confidence_menu(value, confidence),
        *_plan_blocks(value, suggested_plan(card.challenge), None),
        *(nerves_offer_blocks(value) if nerves else ()),
        ActionsBlock(
            block_id=f"pre_actions_{value}",
            elements=[
                ButtonElement(text="Swap challenge", action_id=ids.CHECKIN_SWAP, value=value),
                ButtonElement(text="Skip this meeting", action_id=ids.CHECKIN_SKIP, value=value),
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text="Small steps count. You've got this.")]),
    ]


def build_post_checkin(message: CheckinMessage) -> dict:
    name = escape(message.meeting_name)
    value = str(message.checkin_id)
    buttons = [
        ButtonElement(
            text=label,
            action_id=f"{ids.CHECKIN_OUTCOME}_{outcome.value}",
            value=f"{value}:{outcome.value}",
            style="primary" if outcome is Outcome.DID_IT else None,
        )
        for outcome, label in OUTCOME_LABELS.items()
    ]
    blocks: list[Block] = [
        SectionBlock(
            text=f"How did *{name}* go? Your challenge was:\n:dart: {message.card.challenge.do}"
        ),
        ActionsBlock(block_id=f"post_{value}", elements=buttons),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Open until {message.answer_until_local:%a %H:%M}. "
                    "Whatever happened is useful to know."
                )
            ]
        ),
    ]
    return _done(blocks, f"How did {name} go?")


def build_reminder(message: CheckinMessage) -> dict:
    name = escape(message.meeting_name)
    line = (
        f"A gentle nudge: how did *{name}* go? The check-in above "
        f"stays open until {message.answer_until_local:%a %H:%M}. No pressure."
    )
    return _done([SectionBlock(text=line)], f"How did {name} go?")


_PLAN = f"{_MARK}plan{_MARK}"


@functools.lru_cache(maxsize=4096)
def _pre_state_template(key: CheckinState) -> str:
    plan = None if key.plan is None else _PLAN
    blocks = _pre_state_blocks(key, _NAME, _VALUE, plan, escaped=True)
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def _pre_state_blocks(
    state: CheckinState, name: str, value: str, plan: str | None, *, escaped: bool = False
) -> list[Block]:
    """A pre-meeting check-in after an answer (``plan`` is escaped here unless
    ``escaped``: a template's marker is filled in escaped)."""
    noted = state.confidence is not None  # 0 is an answer too
    confidence = f"Confidence noted: *{state.confidence}*. " if noted else ""
    blocks = [
        SectionBlock(
            text=f"*{name}*: {confidence}Today's challenge:\n:dart: *{state.card.challenge.do}*"
        ),
        SectionBlock(text=f":bulb: *Tip:* {state.card.challenge.tip}"),
    ]
    if not noted:  # a plan fixed first leaves her confidence still to give
        blocks.append(_confidence_menu(value, None))
    blocks += _plan_blocks(value, state.suggested_plan, plan, escaped=escaped)
    if state.nerves:  # still there after her answers, until the meeting
        blocks += nerves_offer_blocks(value)
    return blocks


def build_checkin_state(state: CheckinState) -> dict:
    """The check-in after an answer, replacing the original so nothing is answered twice."""
    name = escape(state.meeting_name)
    if state.kind == "pre":
        if state.skipped:
            line = f"Skipping *{name}* this time. That's fine; see you at the next one."
            return _done([SectionBlock(text=line)], line)
        text = f"{name}: {state.card.challenge.do}"
        value, plan = str(state.checkin_id), state.plan
        if _MARK in name or (plan is not None and _MARK in plan):
            return _done(_pre_state_blocks(state, name, value, plan), text)
        # Redrawn after every answer: rendered once per challenge and state, with markers
        # where the meeting, the check-in and her plan go, then filled in.
        key = replace(state, checkin_id=0, meeting_name="", plan=None if plan is None else "")
        values = {_NAME: name, _VALUE: value, _PLAN: escape(plan or "")}
        return {"text": text, "blocks": _filled(_pre_state_template(key), values)}
    label = OUTCOME_LABELS[state.outcome] if state.outcome else "Answered"
    blocks = [SectionBlock(text=f"*{name}*: {label}. Thanks for checking in.")]
    if state.outcome is not Outcome.DID_NOT_HAPPEN and not state.detailed:
        blocks.append(
            ActionsBlock(
                block_id=f"details_{state.checkin_id}",
                elements=[
                    ButtonElement(
                        text="Add how it felt",
                        action_id=ids.CHECKIN_DETAILS,
                        value=str(state.checkin_id),
                    )
                ],
            )
        )
    elif state.outcome is Outcome.DID_NOT_HAPPEN:
        blocks = [SectionBlock(text=f"*{name}* didn't happen. No problem, nothing changes.")]
    if state.outcome not in (None, Outcome.DID_NOT_HAPPEN) and state.plan is not None:
        blocks += _plan_fired_blocks(state)
    return _done(blocks, f"{name}: {label}")


# What she hears back about her plan: a miss is information about the cue, never a fault.
FIRED_REPLIES = {
    PlanFired.YES: "Your plan fired. Each time the moment and the action link up, "
    "the next time takes less effort.",
    PlanFired.PARTLY: "Partly is real progress. Next time, try making the “When” "
    "moment even more specific.",
    PlanFired.NO: "Useful to know. Maybe the moment never came, or came differently; "
    "next time pick a “When” you're sure will happen.",
}


def _plan_fired_blocks(state: CheckinState) -> list[Block]:
    value = str(state.checkin_id)
    plan = SectionBlock(text=f":memo: *Your plan was:* “{escape(state.plan)}”")
    if state.plan_fired is not None:
        return [
            plan,
            ContextBlock(elements=[MarkdownTextObject(text=FIRED_REPLIES[state.plan_fired])]),
        ]
    return [
        plan,
        SectionBlock(text="Did it fire when the moment came?"),
        ActionsBlock(
            block_id=f"plan_fired_{value}",
            elements=[
                ButtonElement(
                    text=label,
                    action_id=f"{ids.PLAN_FIRED}_{fired.value}",
                    value=f"{value}:{fired.value}",
                )
                for fired, label in FIRED_LABELS.items()
            ],
        ),
    ]


def build_plan_modal(checkin_id: int, suggestion: str | None, current: str | None) -> dict:
    """She writes her own if-then plan (or changes the one she has)."""
    example = suggestion or "When the facilitator asks for thoughts, I will share my point."
    view = View(
        type="modal",
        callback_id=ids.PLAN_VIEW,
        private_metadata=str(checkin_id),
        title="Your plan",
        submit="Save plan",
        close="Cancel",
        blocks=[
            SectionBlock(
                text="Name the moment and what you'll do: “When …, I will …”. Only you will see it."
            ),
            InputBlock(
                block_id=ids.PLAN_TEXT,
                label="When…, I will…",
                hint=f"For example: {example}"[:2000],
                element=PlainTextInputElement(
                    action_id=ids.PLAN_TEXT,
                    max_length=MAX_OWN_PLAN,
                    initial_value=current,
                    placeholder="When …, I will …",
                ),
            ),
        ],
    )
    return view.to_dict()


def build_closed(why: str) -> dict:
    line = {
        "expired": "This check-in has closed. The next one will come before your next meeting.",
        "answered": "Already answered. Thanks!",
    }.get(why, "This check-in isn't available any more.")
    return _done([SectionBlock(text=line)], line)


def build_details_modal(checkin_id: int, outcome: Outcome) -> dict:
    felt = [Option(value=f.value, text=label) for f, label in FELT_LABELS.items()]
    header = {
        Outcome.DID_IT: "You did it. How did it feel?",
        Outcome.PARTLY: "Partly counts. How did it feel?",
        Outcome.NOT_THIS_TIME: "Thanks for being honest. How did it feel?",
    }.get(outcome, "How did it feel?")
    view = View(
        type="modal",
        callback_id=ids.CHECKIN_DETAILS_VIEW,
        private_metadata=str(checkin_id),
        notify_on_close=False,
        title="How it went",
        submit="Save",
        close="Later",
        blocks=[
            SectionBlock(text=header),
            InputBlock(
                block_id=ids.FELT,
                label="The challenge felt",
                element=RadioButtonsElement(action_id=ids.FELT, options=felt),
            ),
            *after_meeting_inputs(),
        ],
    )
    return view.to_dict()

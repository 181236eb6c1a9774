"""Pieces several surfaces share."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)

from bot.slack import ids
from bot.slack.forms import CONFIDENCE_CHOICES, MAX_REFLECTION

SHARE = Option(value="yes", text="Share my wins in a team channel (you'll be asked each time)")
ROUNDUP = Option(
    value="roundup",
    text="Post a weekly round-up of shared wins there (Fri, 15:00 my time)",
)

_ANCHORS = {0: "cannot do at all", 50: "moderately can do", 100: "highly certain can do"}


def confidence_options() -> list[Option]:
    """Bandura's 0–100 scale in steps of 10, with its three anchors named."""
    return [
        Option(value=str(n), text=f"{n} — {_ANCHORS[n]}" if n in _ANCHORS else str(n))
        for n in CONFIDENCE_CHOICES
    ]


def option_for(options: list[Option], value) -> Option | None:
    return next((o for o in options if o.value == str(value)), None)


def ladder_bar(step: int, top: int, start: int | None = None) -> str:
    """e.g. ●●●○○○○○ — the steps climbed, filled."""
    return "".join("●" if n <= step else "○" for n in range(1, top + 1))


def sharing_inputs(
    share_wins: bool, channel_id: str | None, roundup: bool | None = None
) -> list[InputBlock]:
    """Opt-in to sharing wins (off unless ticked), and the channel to share them in;
    with ``roundup`` given, the weekly round-up option too."""
    options = [SHARE] if roundup is None else [SHARE, ROUNDUP]
    chosen = [o for o, on in ((SHARE, share_wins), (ROUNDUP, bool(roundup))) if on]
    return [
        InputBlock(
            block_id=ids.SHARE_WINS,
            label="Celebrate wins with your team?",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.SHARE_WINS,
                options=options,
                initial_options=chosen or None,
            ),
        ),
        InputBlock(
            block_id=ids.SHARE_CHANNEL,
            label="Channel for wins",
            optional=True,
            hint="Only wins you choose to share are posted; never scores or misses.",
            element=ConversationSelectElement(
                action_id=ids.SHARE_CHANNEL,
                placeholder="Pick a channel you're in",
                initial_conversation=channel_id,
                filter=ConversationFilter(
                    include=["public", "private"],
                    exclude_bot_users=True,
                    exclude_external_shared_channels=True,
                ),
            ),
        ),
    ]


def after_meeting_inputs() -> list[InputBlock]:
    """Confidence now, and one private line: asked after every attempt, logged or scheduled."""
    return [
        InputBlock(
            block_id=ids.CONFIDENCE_AFTER,
            label="How confident are you now about speaking up?",
            element=StaticSelectElement(
                action_id=ids.CONFIDENCE_AFTER, placeholder="0–100", options=confidence_options()
            ),
        ),
        InputBlock(
            block_id=ids.REFLECTION,
            label="One line for yourself (optional)",
            optional=True,
            hint="Private to you.",
            element=PlainTextInputElement(
                action_id=ids.REFLECTION,
                max_length=MAX_REFLECTION,
                placeholder="What helped, or what you'd try next time",
            ),
        ),
    ]

"""The /voice help message, and the answer to a subcommand it doesn't know."""

from __future__ import annotations

import copy
import functools

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.slack.blocks.text import code
from bot.slack.ids import COMMAND
from bot.slack.subcommands import SUBCOMMANDS

INTRO = (
    "*Voice Coach* helps you speak up in meetings, one small win at a time: "
    "a challenge just outside your comfort zone, a quick check-in before and after, "
    "and a next step that fits how it went."
)


def _command_list() -> str:
    return "\n".join(f"• `{COMMAND} {s.usage}` — {s.summary}" for s in SUBCOMMANDS)


@functools.cache
def _help_message() -> dict:
    return _build_help()


def build_help() -> dict:
    """An ephemeral message listing every subcommand (built once: it never changes)."""
    return copy.deepcopy(_help_message())


def _build_help() -> dict:
    blocks = [
        SectionBlock(text=INTRO),
        SectionBlock(text=_command_list()),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Everything you tell me stays private to you unless you choose to "
                    "share a win."
                )
            ]
        ),
    ]
    return {
        "text": f"Voice Coach: try `{COMMAND} start` to begin, or `{COMMAND} help` for more.",
        "blocks": [b.to_dict() for b in blocks],
    }


def build_unknown_subcommand(name: str, suggestion: str | None) -> dict:
    """Says what it didn't understand and what would work, then the help."""
    hint = f"did you mean `{COMMAND} {suggestion}`?" if suggestion else f"try `{COMMAND} help`."
    line = f"I don't know {code(name)} — {hint} Here's what I can do:"
    help_message = build_help()
    return {
        "text": line,
        "blocks": [SectionBlock(text=line).to_dict(), *help_message["blocks"][1:]],
    }


def build_unexpected_arguments(name: str, args: str) -> dict:
    line = (
        f"`{COMMAND} {name}` doesn't take anything after it (you added {code(args)}). "
        f"Try just `{COMMAND} {name}`."
    )
    return {"text": line, "blocks": [SectionBlock(text=line).to_dict()]}

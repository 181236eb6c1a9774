"""The subcommands of /voice, as the help shows them (PRODUCT §4)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str

    @property
    def takes_arguments(self) -> bool:
        return " " in self.usage


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("start", "start", "set your goal and get your first small challenge"),
    Subcommand("meetings", "meetings", "choose the meetings you want to practise in"),
    Subcommand(
        "calendar",
        "calendar [disconnect]",
        "tick meetings from your Google or Outlook calendar; `disconnect` removes its link",
    ),
    Subcommand("challenge", "challenge", "see today's challenge, swap it or pick another"),
    Subcommand("log", "log", "record a meeting that wasn't on your list"),
    Subcommand("progress", "progress", "your step, wins, streak and confidence over time"),
    Subcommand("settings", "settings", "check-in timing, sharing and working hours"),
    Subcommand("pause", "pause [2w]", "take a break (e.g. `3d`, `2w`, `until 2026-12-24`)"),
    Subcommand("resume", "resume", "pick up where you left off"),
    Subcommand("buddy", "buddy @someone", "invite a colleague to cheer you on (`buddy remove`)"),
    Subcommand("export", "export", "get everything Voice Coach stores about you, as a file"),
    Subcommand("forget-me", "forget-me", "delete everything about you (asks first)"),
    Subcommand("help", "help", "this list"),
)

NAMES = frozenset(s.name for s in SUBCOMMANDS)
WITHOUT_ARGUMENTS = frozenset(s.name for s in SUBCOMMANDS if not s.takes_arguments)


def parse(text: str) -> tuple[str, str]:
    """Split ``/voice`` text into a lower-cased subcommand and the rest ("" means help)."""
    word, _, rest = (text or "").strip().partition(" ")
    return (word.lower() or "help"), rest.strip()


def closest(name: str) -> str | None:
    """The subcommand a typo most likely meant, if any is close."""
    match = difflib.get_close_matches(name.lower(), sorted(NAMES), n=1, cutoff=0.6)
    return match[0] if match else None

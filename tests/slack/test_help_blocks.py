"""The help message and the unknown-subcommand answer, as a user sees them."""

from __future__ import annotations

from bot.slack.blocks.help import build_help, build_unknown_subcommand
from bot.slack.subcommands import SUBCOMMANDS, closest, parse


def _text(message: dict) -> str:
    return "\n".join(b.get("text", {}).get("text", "") for b in message["blocks"])


def test_help_lists_every_subcommand_of_the_spec():
    text = _text(build_help())
    for name in (
        "help",
        "start",
        "meetings",
        "calendar",
        "challenge",
        "log",
        "progress",
        "settings",
        "pause",
        "resume",
        "buddy",
        "export",
        "forget-me",
    ):
        assert f"`/voice {name}" in text
    assert len(SUBCOMMANDS) == 13
    assert "`/voice calendar [disconnect]`" in text


def test_unknown_subcommand_says_what_would_work():
    message = build_unknown_subcommand("xyz", None)
    assert message["text"] == "I don't know `xyz` — try `/voice help`. Here's what I can do:"
    assert "`/voice start`" in _text(message)


def test_a_typo_gets_a_suggestion():
    assert closest("progres") == "progress"
    assert closest("metings") == "meetings"
    assert closest("banana") is None
    assert (
        "did you mean `/voice progress`?" in build_unknown_subcommand("progres", "progress")["text"]
    )


def test_hostile_or_long_input_is_escaped_and_cut():
    message = build_unknown_subcommand("<!channel>`&" + "x" * 200, None)
    assert "<!channel>" not in message["text"]
    assert "&lt;!channel&gt;'&amp;" in message["text"]
    assert len(message["text"]) < 200


def test_parse_splits_subcommand_and_arguments():
    assert parse("") == ("help", "")
    assert parse("  PAUSE   2w ") == ("pause", "2w")
    assert parse("buddy <@U123|ana>") == ("buddy", "<@U123|ana>")

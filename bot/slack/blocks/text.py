"""Putting a person's own words safely into mrkdwn."""

from __future__ import annotations


def escape(text: str) -> str:
    """Slack's three control characters; anything else a person typed stays as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str, *, limit: int = 40) -> str:
    """A short inline code span of untrusted text (backticks would end the span)."""
    clean = escape(text.replace("`", "'").replace("\n", " "))
    if len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return f"`{clean}`"

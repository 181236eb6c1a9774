"""Putting a person's own words safely into mrkdwn, and within Slack's lengths."""

from __future__ import annotations

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(text: str, *, limit: int | None = None) -> str:
    """Slack's three control characters; anything else a person typed stays as typed.

    With ``limit``, at most that many characters: cut with "…" between two of hers,
    never inside an ``&amp;``."""
    escaped = "".join(_ENTITIES.get(c, c) for c in text)
    if limit is None or len(escaped) <= limit:
        return escaped
    kept, used = [], 0
    for c in text:
        piece = _ENTITIES.get(c, c)
        if used + len(piece) > limit - 1:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + "…"


def quote(text: str) -> str:
    """A block quote of her words: every line of it (">" quotes only the line it starts)."""
    return "\n".join(f">{line}" for line in escape(text).split("\n"))


def code(text: str, *, limit: int = 40) -> str:
    """A short inline code span of untrusted text (backticks would end the span)."""
    clean = text.replace("`", "'").replace("\n", " ")
    return f"`{escape(clean, limit=limit)}`"

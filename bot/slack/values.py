"""Ids that come back from Slack in button values and private_metadata.

They were written by us, but a request can be forged: anything that isn't a plain,
in-range row id is refused with ValueError (the listeners treat it as "not yours")."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # an INTEGER column on PostgreSQL


def row_id(text) -> int:
    text = str(text if text is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValueError("not a row id")
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError("not a row id")
    return value

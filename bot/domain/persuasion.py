"""Encouragement that is specific: pointing at a real win she chose to share.

Verbal persuasion builds self-belief only when it is specific and credible (Bandura;
the issue's evidence): "last Monday you answered with one point" convinces, "you're
great" does not. So the buddy and the team are shown one real win, and only a win she
shared herself; with none, they are asked for something they saw, never handed praise.
Pure rules: no Slack, no database.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def shared_win_line(challenge_do: str, when: datetime, tz: str, *, who: str) -> str:
    """``on Mon 2 Mar you took on “…” and did it``: the day in her time zone, what she did
    in the ladder's own words (``who``: "you" to her, "they" to her buddy)."""
    day = when.astimezone(ZoneInfo(tz))
    return f"on {day:%a} {day.day} {day:%b} {who} took on “{challenge_do.rstrip('.')}” and did it"

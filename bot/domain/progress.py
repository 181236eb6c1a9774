"""Progress, as she sees it (PRODUCT §3 journey 7): wins, the streak, and how her
confidence before and after meetings has moved, week by week.

Weeks are her local weeks: Monday 00:00 to Sunday 24:00 in her own time zone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SPARK_CHARS = "▁▂▃▄▅▆▇█"
SPARK_GAP = "·"

_WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class PracticeRecord:
    """One reported attempt: when it was, whether the meeting happened, how it went."""

    occurred_at: datetime  # aware, UTC
    happened: bool  # False for "the meeting didn't happen"
    win: bool  # outcome was "did it"
    confidence_before: int | None  # 0..100
    confidence_after: int | None

    def __post_init__(self) -> None:
        if self.occurred_at.utcoffset() is None:
            raise ValueError("occurred_at must be timezone-aware")
        for name in ("confidence_before", "confidence_after"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                raise ValueError(f"{name} must be between 0 and 100, not {value}")


@dataclass(frozen=True)
class WeekConfidence:
    """Her confidence in one local week."""

    week_start: date  # Monday of the week, in her local time zone
    before: float | None  # mean confidence before meetings that week (None: no data)
    after: float | None
    attempts: int  # practised meetings (happened) that week


def week_start(instant: datetime, tz: ZoneInfo) -> date:
    """The Monday of the local week (in `tz`) that `instant` falls in."""
    if instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return _monday(instant.astimezone(tz).date())


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def weekly_confidence(
    records: Iterable[PracticeRecord],
    *,
    tz: ZoneInfo,
    today: date,
    weeks: int | None = None,
) -> list[WeekConfidence]:
    """Her confidence week by week, oldest first, up to and including today's week.

    Without `weeks`, the range starts at the week of her first record; with it, it is
    the last `weeks` weeks. Weeks without records are included (None, 0 attempts), so
    the result has no holes. No records at all gives [].

    Only meetings that happened count: a check-in for a meeting that didn't take
    place says nothing about how speaking up felt, and keeping the same meetings on
    both sides keeps "before" and "after" comparable. Records after today's week
    are ignored.
    """
    if weeks is not None and weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    records = list(records)
    if not records:
        return []
    last = _monday(today)
    if weeks is None:
        first = min(week_start(r.occurred_at, tz) for r in records)
    else:
        first = last - (weeks - 1) * _WEEK

    before: dict[date, list[int]] = {}
    after: dict[date, list[int]] = {}
    attempts: Counter[date] = Counter()
    for record in records:
        if not record.happened:
            continue
        week = week_start(record.occurred_at, tz)
        attempts[week] += 1
        if record.confidence_before is not None:
            before.setdefault(week, []).append(record.confidence_before)
        if record.confidence_after is not None:
            after.setdefault(week, []).append(record.confidence_after)

    result = []
    week = first
    while week <= last:
        result.append(
            WeekConfidence(
                week_start=week,
                before=_mean(before.get(week, [])),
                after=_mean(after.get(week, [])),
                attempts=attempts[week],
            )
        )
        week += _WEEK
    return result


def current_streak(
    records: Iterable[PracticeRecord],
    *,
    tz: ZoneInfo,
    today: date,
    paused_weeks: frozenset[date] = frozenset(),
) -> int:
    """How many meetings she has practised in since her last break.

    A break is a whole local week with no practised meeting, other than today's week
    (still under way) and the weeks in `paused_weeks` (Mondays; a paused week does not
    break the streak, and meetings practised during it still count). Meetings that
    didn't happen count for nothing and break nothing. Records after today's week
    are ignored.
    """
    this_week = _monday(today)
    per_week = Counter(
        week for r in records if r.happened and (week := week_start(r.occurred_at, tz)) <= this_week
    )
    if not per_week:
        return 0
    earliest = min(per_week)
    streak = 0
    week = this_week
    while week >= earliest:
        count = per_week[week]
        if count == 0 and week != this_week and week not in paused_weeks:
            break
        streak += count
        week -= _WEEK
    return streak


def wins(records: Iterable[PracticeRecord]) -> int:
    """How many times she did what she set out to do."""
    return sum(1 for r in records if r.happened and r.win)


def sparkline(values: Sequence[float | None], *, low: float = 0, high: float = 100) -> str:
    """One block character per value, ▁ at `low` up to █ at `high` (clamped); None
    (or NaN) is shown as "·"."""
    if high <= low:
        raise ValueError(f"high ({high}) must be above low ({low})")
    top = len(SPARK_CHARS) - 1
    chars = []
    for value in values:
        if value is None or math.isnan(value):
            chars.append(SPARK_GAP)
            continue
        fraction = (min(max(value, low), high) - low) / (high - low)
        chars.append(SPARK_CHARS[math.floor(fraction * top + 0.5)])  # half up
    return "".join(chars)

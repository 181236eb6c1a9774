"""Time is injected: code asks a clock, tests move it."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class Fresh:
    """Values worked out again at most every ``every`` of the clock's time, one per key:
    for what many requests read and few writes change (a clock moved back reads again)."""

    def __init__(self, clock: Clock, every: timedelta):
        self._clock, self._every = clock, every
        self._known: dict[Hashable, tuple[datetime, object]] = {}

    def get(self, key: Hashable, work: Callable[[], T]) -> T:
        now = self._clock.now()
        known = self._known.get(key)
        if known is not None and timedelta(0) <= now - known[0] < self._every:
            return known[1]  # type: ignore[return-value]
        value = work()
        self._known[key] = (now, value)
        return value


class SystemClock:
    def now(self) -> datetime:
        # datetime.now reads time.time(), which time-machine moves in tests.
        return datetime.now(UTC)


class ScaledClock:
    """For benchmarks and demos only (CLOCK_START, CLOCK_SPEED, CLOCK_ANCHOR): reads
    ``start`` at the real instant ``anchor`` (Unix seconds) and runs ``speed`` times
    faster than real time from there, so a working day passes in minutes.

    Every process given the same three values tells the same time, whenever it
    started. What the app measures on its clock is scaled with it (leases, back-offs,
    how long it holds back after Slack's Retry-After); the scheduler's intervals, HTTP
    timeouts and Slack's own limits stay in real seconds.
    """

    def __init__(self, start: datetime, speed: float, anchor: float | None = None):
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("the start of a scaled clock needs a UTC offset")
        if not speed > 0:
            raise ValueError(f"a clock's speed must be above 0, not {speed!r}")
        self.start = start.astimezone(UTC)
        self.speed = speed
        self.anchor = time.time() if anchor is None else anchor

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def real_time_of(self, instant: datetime) -> float:
        """The real Unix time at which this clock shows ``instant``."""
        return self.anchor + (instant - self.start).total_seconds() / self.speed


def after(clock: Clock, seconds: float) -> datetime:
    """What ``clock`` will read once ``seconds`` of real time have passed."""
    speed = clock.speed if isinstance(clock, ScaledClock) else 1.0
    return clock.now() + timedelta(seconds=seconds * speed)
